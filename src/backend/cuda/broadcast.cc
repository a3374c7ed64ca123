#include "backend/cuda/broadcast.h"

#include <vector>

namespace toonbox::cuda {

BroadcastShape collapse_broadcast(const Shape& a, const Shape& b, const Shape& out) {
  const size_t rank = out.size();
  auto dim_of = [rank](const Shape& s, size_t d) {
    return d < rank - s.size() ? int64_t{1} : s[d - (rank - s.size())];
  };
  struct Dim {
    int64_t size;
    bool a_broadcast, b_broadcast;
  };
  std::vector<Dim> dims;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;  // contributes nothing to any index
    const Dim next{out[d], dim_of(a, d) == 1, dim_of(b, d) == 1};
    if (!dims.empty() && dims.back().a_broadcast == next.a_broadcast &&
        dims.back().b_broadcast == next.b_broadcast) {
      dims.back().size *= next.size;  // contiguous in both inputs: one dim
    } else {
      dims.push_back(next);
    }
  }
  BroadcastShape s;
  if (dims.empty()) return s;  // a single element
  s.rank = static_cast<int>(dims.size());
  int64_t a_stride = 1, b_stride = 1;
  for (int d = s.rank - 1; d >= 0; --d) {
    s.out_dims[d] = dims[d].size;
    s.a_strides[d] = dims[d].a_broadcast ? 0 : a_stride;
    s.b_strides[d] = dims[d].b_broadcast ? 0 : b_stride;
    if (!dims[d].a_broadcast) a_stride *= dims[d].size;
    if (!dims[d].b_broadcast) b_stride *= dims[d].size;
  }
  return s;
}

}  // namespace toonbox::cuda
