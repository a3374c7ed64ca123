// Checks shared by the text and binary param parsers.
#pragma once

#include <cstdint>
#include <string>

#include "import/ncnn/ncnn_param.h"

namespace toonbox::ncnn::detail {

Status check_header_counts(int64_t layers, int64_t blobs, const ParamLimits& limits,
                           const std::string& where);
Status check_layer_blob_counts(int64_t bottoms, int64_t tops, const ParamLimits& limits,
                               const std::string& where);
// Records `blob` as an input of `layer`: it must have been produced by an earlier layer.
Status link_bottom(Net& net, Layer& layer, int blob);
// Records `blob` as an output of `layer`: no other layer may produce it.
Status link_top(Net& net, Layer& layer, int blob);

}  // namespace toonbox::ncnn::detail
