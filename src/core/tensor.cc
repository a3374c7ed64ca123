#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace toonbox {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kBool: return "bool";
  }
  return "?";
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::kFloat32: return "fp32";
    case Precision::kFloat16: return "fp16";
    case Precision::kTf32: return "tf32";
  }
  return "?";
}

std::optional<Precision> precision_from_name(std::string_view name) {
  for (Precision p : {Precision::kFloat32, Precision::kFloat16, Precision::kTf32})
    if (name == precision_name(p)) return p;
  return std::nullopt;
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

Status check_shape(const Shape& shape, int64_t max_elements, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return invalid_argument(what + ": negative dimension in " + shape_to_string(shape));
    if (d != 0 && n > max_elements / d) {
      return resource_exhausted(what + ": shape " + shape_to_string(shape) + " has more than " +
                                std::to_string(max_elements) + " elements");
    }
    n *= d;
  }
  return Status::ok();
}

static std::shared_ptr<std::byte> allocate_aligned(size_t bytes) {
  const size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!p) return nullptr;
  std::memset(p, 0, rounded == 0 ? 64 : rounded);
  return std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  buffer_ = allocate_aligned(nbytes());
}

Result<Tensor> Tensor::create(DType dtype, Shape shape) {
  TB_RETURN_IF_ERROR(check_shape(shape, std::numeric_limits<int64_t>::max() / 8, "tensor"));
  Tensor t(dtype, shape);
  if (t.empty()) {
    return out_of_memory("cannot allocate " + std::to_string(t.nbytes()) + " bytes for tensor " +
                         shape_to_string(shape));
  }
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_);
  if (!empty()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

namespace {
double load_as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32: return t.data<float>()[i];
    case DType::kFloat16: return half_to_float(t.data<uint16_t>()[i]);
    case DType::kInt32: return t.data<int32_t>()[i];
    case DType::kInt64: return static_cast<double>(t.data<int64_t>()[i]);
    case DType::kUInt8: return t.data<uint8_t>()[i];
    case DType::kBool: return t.data<uint8_t>()[i] ? 1.0 : 0.0;
  }
  return 0;
}
void store_double(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
    case DType::kFloat16: t.data<uint16_t>()[i] = float_to_half(static_cast<float>(v)); break;
    case DType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(v); break;
    case DType::kInt64: t.data<int64_t>()[i] = static_cast<int64_t>(v); break;
    case DType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    case DType::kBool: t.data<uint8_t>()[i] = v != 0.0; break;
  }
}
}  // namespace

Result<Tensor> Tensor::cast(DType to) const {
  if (to == dtype_) return *this;
  TB_ASSIGN_OR_RETURN(Tensor out, Tensor::create(to, shape_));
  const int64_t n = numel();
  if (dtype_ == DType::kInt64 && to == DType::kInt32) {  // exact path, no double detour
    for (int64_t i = 0; i < n; ++i) out.data<int32_t>()[i] = static_cast<int32_t>(data<int64_t>()[i]);
    return out;
  }
  for (int64_t i = 0; i < n; ++i) store_double(out, i, load_as_double(*this, i));
  return out;
}

}  // namespace toonbox
