// Any image-to-image model (`toonbox run`): how its input and output tensors map to
// pixels — layout, channel order, value range, size multiple — detected from the graph
// where it can be and overridable by flags; then pad (edge) -> run -> crop, with the
// output scale (upscalers) taken from the padded shapes.
#pragma once

#include <optional>
#include <string>

#include "engine/session.h"
#include "graph/graph.h"
#include "image/image.h"

namespace toonbox {

enum class ChannelOrder : uint8_t { kRgb, kBgr };

struct ValueRange {
  float lo = 0.f, hi = 1.f;
};

struct ImageModelSpec {
  Layout layout = Layout::kNCHW;
  ChannelOrder channels = ChannelOrder::kRgb;
  ValueRange input_range;
  ValueRange output_range;
  int multiple = 1;      // H and W padded up to a multiple of this
  std::string detected;  // how each choice was made, for the user
};

// Overrides from flags; unset fields are detected.
struct ImageModelOverrides {
  std::optional<Layout> layout;
  std::optional<ChannelOrder> channels;
  std::optional<ValueRange> input_range;
  std::optional<ValueRange> output_range;
  std::optional<int> multiple;
};

// Layout from the input's fixed dims (a 3 or 1 in dim 1 or 3); range from the op that
// produces the output (Tanh: [-1,1], Sigmoid: [0,1], Clip(lo,hi): [lo,hi]; else
// [0,1]); the input range follows the output's. Multiple: 16 when unsure (enough for
// four stride-2 levels; pads are cropped off again).
Result<ImageModelSpec> detect_image_model_spec(const Graph& graph, const ImageModelOverrides& o);

// "nchw"/"nhwc", "rgb"/"bgr", "-1,1"/"0,1"/"0,255" or "LO,HI".
Result<Layout> parse_layout(const std::string& s);
Result<ChannelOrder> parse_channel_order(const std::string& s);
Result<ValueRange> parse_value_range(const std::string& s);

// Runs the model on an RGB image (alpha passed through).
Result<Image> run_image_model(Session& session, const ImageModelSpec& spec, const Image& input,
                              RunReport* report = nullptr);

}  // namespace toonbox
