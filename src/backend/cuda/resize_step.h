// Resize nodes: the source rows/columns and weights of every output row/column are
// computed once on the host with the reference's exact arithmetic and rules (float32
// source coordinates, nearest rounding, TensorFlow's clamping), and uploaded as tap
// tables; the kernel gathers. The GPU can then differ from the reference only by the
// float interpolation arithmetic, never by picking another source pixel.
#pragma once

#include <memory>
#include <vector>

#include "backend/cuda/kernels/resize.h"
#include "backend/cuda/step.h"

namespace toonbox::cuda {

// Taps for one axis: `in` source pixels resized to `out`.
std::vector<ResizeTap> resize_taps(const ResizeParams& params, int64_t in, int64_t out);

Result<std::unique_ptr<Step>> make_resize(const BuildContext& ctx, const Node& node);

}  // namespace toonbox::cuda
