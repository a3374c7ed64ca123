// Host tensors: a dtype, a shape and a shared, 64-byte aligned buffer. Device memory
// belongs to the backends; the engine's public API moves host tensors only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"

namespace toonbox {

using Shape = std::vector<int64_t>;

// Product of the dimensions; 1 for a scalar. Callers validate dims first.
int64_t shape_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);
// Checks every dim is >= 0 and the element count stays below `max_elements`.
Status check_shape(const Shape& shape, int64_t max_elements, const std::string& what);

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-initialized storage. Returns an empty tensor on allocation failure;
  // use Tensor::create when the size comes from untrusted input.
  Tensor(DType dtype, Shape shape);
  static Result<Tensor> create(DType dtype, Shape shape);

  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_[i < 0 ? shape_.size() + i : i]; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool empty() const { return buffer_ == nullptr; }

  void* raw() { return buffer_.get(); }
  const void* raw() const { return buffer_.get(); }
  template <typename T>
  T* data() { return static_cast<T*>(raw()); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(raw()); }

  // Same storage, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // Deep copy.
  Tensor clone() const;
  // Converts between float32/float16/int32/int64 (values, not bits).
  Result<Tensor> cast(DType to) const;

 private:
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  std::shared_ptr<std::byte> buffer_;
};

template <typename T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  DType dt = std::is_same_v<T, float>     ? DType::kFloat32
             : std::is_same_v<T, int32_t> ? DType::kInt32
             : std::is_same_v<T, int64_t> ? DType::kInt64
             : std::is_same_v<T, uint16_t> ? DType::kFloat16
                                           : DType::kUInt8;
  Tensor t(dt, std::move(shape));
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

}  // namespace toonbox
