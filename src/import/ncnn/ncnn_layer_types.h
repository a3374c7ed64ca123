// ncnn's layer type indices, which the binary .param.bin stores instead of type names.
#pragma once

#include <string>

namespace toonbox::ncnn {

// The type name of `index`, or "" for an index ncnn does not define. Custom layers
// (index with bit 8 set, registered by the application) have no name either.
std::string layer_type_name(int index);
// Type indices ncnn defines: 0 to kLayerTypeCount - 1.
inline constexpr int kLayerTypeCount = 110;

}  // namespace toonbox::ncnn
