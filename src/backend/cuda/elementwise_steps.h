// Unary and Binary nodes on the elementwise kernels. The host side collapses the
// broadcast (adjacent dims with the same pattern merge), so the common cases (same
// shape, tensor op scalar, tensor op per-channel vector) index with one or two dims.
#pragma once

#include <memory>

#include "backend/cuda/kernels/elementwise.h"
#include "backend/cuda/step.h"

namespace toonbox::cuda {

// Collapsed broadcast of a and b to `out` (shapes as numpy aligns them, from the right).
BroadcastShape collapse_broadcast(const Shape& a, const Shape& b, const Shape& out);

Result<std::unique_ptr<Step>> make_unary(const BuildContext& ctx, const Node& node);
Result<std::unique_ptr<Step>> make_binary(const BuildContext& ctx, const Node& node);

}  // namespace toonbox::cuda
