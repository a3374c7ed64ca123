// The Dft op on the GPU: cuFFT (a batched 1-D complex-to-complex plan made at compile
// time) between the pack/unpack kernels of kernels/dft_pack.cu. The transform is always
// fp32: in an fp16 graph only the op's input and output are stored in half, the lines
// and the arithmetic stay float (per-op precision for the spectral branch).
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_dft_step(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
