#include "import/onnx/onnx_loader.h"

#include <google/protobuf/io/coded_stream.h>

#include <cstring>
#include <fstream>
#include <system_error>

namespace toonbox::onnx_import {

namespace {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path, int64_t offset, int64_t length,
                              int64_t max_bytes) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return not_found("cannot read '" + path.string() + "': " + ec.message());
  if (static_cast<int64_t>(size) > max_bytes && length < 0)
    return resource_exhausted("'" + path.string() + "' is " + std::to_string(size) +
                              " bytes, more than the limit of " + std::to_string(max_bytes));
  if (offset < 0 || offset > static_cast<int64_t>(size))
    return data_loss("offset " + std::to_string(offset) + " beyond the end of '" + path.string() +
                     "' (" + std::to_string(size) + " bytes)");
  const int64_t want = length < 0 ? static_cast<int64_t>(size) - offset : length;
  if (want > static_cast<int64_t>(size) - offset)
    return data_loss("'" + path.string() + "' has " + std::to_string(size) + " bytes, need " +
                     std::to_string(offset + want));
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open '" + path.string() + "'");
  in.seekg(offset);
  std::string data(static_cast<size_t>(want), '\0');
  in.read(data.data(), want);
  if (in.gcount() != want) return data_loss("short read from '" + path.string() + "'");
  return data;
}

// External data location: relative, inside the model folder after resolving links.
Result<fs::path> resolve_external(const fs::path& dir, const std::string& location) {
  const fs::path rel(location);
  if (location.empty() || rel.is_absolute() || rel.has_root_name())
    return invalid_argument("external data path '" + location + "' must be relative to the model");
  for (const auto& part : rel)
    if (part == "..")
      return invalid_argument("external data path '" + location + "' leaves the model folder");
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(dir, ec);
  const fs::path full = fs::weakly_canonical(dir / rel, ec);
  if (ec) return not_found("external data '" + location + "': " + ec.message());
  const std::string b = base.string() + "/", f = full.string();
  if (f.compare(0, b.size(), b) != 0)
    return invalid_argument("external data path '" + location +
                            "' resolves outside the model folder");
  return full;
}

template <typename Src, typename Dst>
void convert(const Src* src, Dst* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]);
}

}  // namespace

const char* onnx_type_name(int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
      return "float";
    case onnx::TensorProto::UINT8:
      return "uint8";
    case onnx::TensorProto::INT8:
      return "int8";
    case onnx::TensorProto::UINT16:
      return "uint16";
    case onnx::TensorProto::INT16:
      return "int16";
    case onnx::TensorProto::INT32:
      return "int32";
    case onnx::TensorProto::INT64:
      return "int64";
    case onnx::TensorProto::STRING:
      return "string";
    case onnx::TensorProto::BOOL:
      return "bool";
    case onnx::TensorProto::FLOAT16:
      return "float16";
    case onnx::TensorProto::DOUBLE:
      return "double";
    case onnx::TensorProto::UINT32:
      return "uint32";
    case onnx::TensorProto::UINT64:
      return "uint64";
    case onnx::TensorProto::BFLOAT16:
      return "bfloat16";
    default:
      return "unknown";
  }
}

Result<DType> dtype_from_onnx(int32_t t, const std::string& what) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::FLOAT16:
      return DType::kFloat32;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT32:
      return DType::kInt32;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT32:
      return DType::kInt64;
    case onnx::TensorProto::UINT8:
      return DType::kUInt8;
    case onnx::TensorProto::BOOL:
      return DType::kBool;
    default:
      return unimplemented(what + ": element type " + onnx_type_name(t) + " (" + std::to_string(t) +
                           ") is not supported");
  }
}

Status read_model_proto(const std::string& path, int64_t max_bytes, onnx::ModelProto* model) {
  TB_ASSIGN_OR_RETURN(std::string bytes, read_file(path, 0, -1, max_bytes));
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(static_cast<int>(std::min<int64_t>(max_bytes, INT32_MAX)));
  in.SetRecursionLimit(64);
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return resource_exhausted("ONNX files over 2 GiB must use external data");
  if (!model->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    return data_loss("not a valid ONNX model (protobuf parse failed: truncated or corrupt)");
  if (!model->has_graph()) return data_loss("the model has no graph");
  return Status::ok();
}

Result<Tensor> decode_tensor(const onnx::TensorProto& t, const fs::path& model_dir,
                             int64_t* budget) {
  const std::string what = "tensor '" + t.name() + "'";
  Shape shape;
  for (int64_t d : t.dims()) {
    // Protobuf stores an int64 dim as its 64-bit pattern: 2^64-1 and -1 are the same bits.
    if (d < 0)
      return data_loss(what + ": dim out of range: got " + std::to_string(static_cast<uint64_t>(d)) + " (" +
                       std::to_string(d) + " as int64), expected 0 to 2^31");
    shape.push_back(d);
  }
  TB_RETURN_IF_ERROR(check_shape(shape, int64_t{1} << 31, what));
  const int32_t type = t.data_type();
  TB_ASSIGN_OR_RETURN(DType dtype, dtype_from_onnx(type, what));
  const int64_t n = shape_numel(shape);
  int64_t stored_size = 0;
  switch (type) {
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
      stored_size = 8;
      break;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      stored_size = 4;
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
      stored_size = 2;
      break;
    default:
      stored_size = 1;
      break;
  }
  const int64_t want_bytes = n * stored_size;
  if (want_bytes > *budget)
    return resource_exhausted(what + ": weights exceed the limit of the model's total size");
  *budget -= want_bytes;

  std::string raw;
  bool have_raw = false;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto& kv : t.external_data()) {
      try {
        if (kv.key() == "location")
          location = kv.value();
        else if (kv.key() == "offset")
          offset = std::stoll(kv.value());
        else if (kv.key() == "length")
          length = std::stoll(kv.value());
      } catch (const std::exception&) {
        return data_loss(what + ": bad external data " + kv.key() + " '" + kv.value() + "'");
      }
    }
    TB_ASSIGN_OR_RETURN(fs::path file, resolve_external(model_dir, location));
    if (length >= 0 && length != want_bytes)
      return data_loss(what + ": external length " + std::to_string(length) + ", expected " +
                       std::to_string(want_bytes) + " for " + shape_to_string(shape));
    auto data = read_file(file, offset, want_bytes, INT64_MAX);
    if (!data.is_ok()) return data.status().with_context(what);
    raw = std::move(data).value();
    have_raw = true;
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
    have_raw = true;
  }
  TB_ASSIGN_OR_RETURN(Tensor out, Tensor::create(dtype, shape));
  auto size_error = [&](int64_t got) {
    return data_loss(what + ": got " + std::to_string(got) + " values, expected " +
                     std::to_string(n) + " for shape " + shape_to_string(shape));
  };
  if (have_raw) {
    if (static_cast<int64_t>(raw.size()) != want_bytes)
      return data_loss(what + ": raw_data has " + std::to_string(raw.size()) + " bytes, expected " +
                       std::to_string(want_bytes) + " for " + onnx_type_name(type) + " " +
                       shape_to_string(shape));
    const char* p = raw.data();
    // ONNX stores raw data little-endian, as this machine is.
    switch (type) {
      case onnx::TensorProto::FLOAT:
      case onnx::TensorProto::INT32:
      case onnx::TensorProto::INT64:
      case onnx::TensorProto::UINT8:
      case onnx::TensorProto::BOOL:
        std::memcpy(out.raw(), p, raw.size());
        break;
      case onnx::TensorProto::DOUBLE: {
        std::vector<double> v(n);
        std::memcpy(v.data(), p, raw.size());
        convert(v.data(), out.data<float>(), n);
        break;
      }
      case onnx::TensorProto::FLOAT16: {
        std::vector<uint16_t> v(n);
        std::memcpy(v.data(), p, raw.size());
        for (int64_t i = 0; i < n; ++i) out.data<float>()[i] = half_to_float(v[i]);
        break;
      }
      case onnx::TensorProto::INT8:
        convert(reinterpret_cast<const int8_t*>(p), out.data<int32_t>(), n);
        break;
      case onnx::TensorProto::INT16: {
        std::vector<int16_t> v(n);
        std::memcpy(v.data(), p, raw.size());
        convert(v.data(), out.data<int32_t>(), n);
        break;
      }
      case onnx::TensorProto::UINT16: {
        std::vector<uint16_t> v(n);
        std::memcpy(v.data(), p, raw.size());
        convert(v.data(), out.data<int32_t>(), n);
        break;
      }
      case onnx::TensorProto::UINT32: {
        std::vector<uint32_t> v(n);
        std::memcpy(v.data(), p, raw.size());
        convert(v.data(), out.data<int64_t>(), n);
        break;
      }
      default:
        return unimplemented(what + ": raw data of type " + onnx_type_name(type));
    }
    return out;
  }
  // Typed fields (small tensors, Constant nodes).
  switch (type) {
    case onnx::TensorProto::FLOAT:
      if (t.float_data_size() != n) return size_error(t.float_data_size());
      std::copy(t.float_data().begin(), t.float_data().end(), out.data<float>());
      break;
    case onnx::TensorProto::DOUBLE:
      if (t.double_data_size() != n) return size_error(t.double_data_size());
      convert(t.double_data().data(), out.data<float>(), n);
      break;
    case onnx::TensorProto::INT64:
      if (t.int64_data_size() != n) return size_error(t.int64_data_size());
      std::copy(t.int64_data().begin(), t.int64_data().end(), out.data<int64_t>());
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      if (t.uint64_data_size() != n) return size_error(t.uint64_data_size());
      convert(t.uint64_data().data(), out.data<int64_t>(), n);
      break;
    case onnx::TensorProto::FLOAT16:
      // float16 values travel in int32_data, one per element (bits in the low half).
      if (t.int32_data_size() != n) return size_error(t.int32_data_size());
      for (int64_t i = 0; i < n; ++i)
        out.data<float>()[i] = half_to_float(static_cast<uint16_t>(t.int32_data(i)));
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      if (t.int32_data_size() != n) return size_error(t.int32_data_size());
      for (int64_t i = 0; i < n; ++i)
        out.data<uint8_t>()[i] = static_cast<uint8_t>(t.int32_data(i));
      break;
    default:
      if (t.int32_data_size() != n) return size_error(t.int32_data_size());
      std::copy(t.int32_data().begin(), t.int32_data().end(), out.data<int32_t>());
      break;
  }
  return out;
}

}  // namespace toonbox::onnx_import
