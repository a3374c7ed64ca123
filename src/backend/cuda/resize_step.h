// Resize nodes: the tap tables (resize_taps.h) are computed and uploaded at compile
// time; the kernel gathers. The GPU can then differ from the reference only by the
// float interpolation arithmetic, never by picking another source pixel.
#pragma once

#include <memory>
#include <vector>

#include "backend/cuda/kernels/resize.h"
#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_resize(const BuildContext& ctx, const graph::Node& node);

// The resize with the Add after it (resize_add_fusion.h): writes resize(x) + addend into
// the Add's output.
Result<std::unique_ptr<Step>> make_resize_add(const BuildContext& ctx, const graph::Node& resize,
                                              const graph::Node& add);

}  // namespace toonbox::cuda
