// Unary, Binary and PRelu nodes on the elementwise kernels; the broadcast is collapsed on the
// host (broadcast.h).
#pragma once

#include <memory>

#include "backend/cuda/kernels/elementwise.h"
#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_unary(const BuildContext& ctx, const graph::Node& node);
// Binary and PRelu nodes (both broadcast their second input).
Result<std::unique_ptr<Step>> make_binary(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
