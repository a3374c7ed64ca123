// A model's pixel contract: how an 8-bit image becomes its input tensor and how its
// output tensor becomes an image again — layout, channel order, value range, the size
// multiple its strides need, and the resolution its authors ran it at.
//
// Why it is data in the registry and not a guess in the pipeline: a network trained on
// BGR input and fed RGB still produces a plausible picture (White-box did, with olive
// skin, for months), and an oracle fed the same tensor agrees with it. Only the authors'
// inference code says what the contract is, so the registry records it per model, the
// manifest of an imported model records what the user said, and one conversion
// (pipeline/image_tensor.h) applies it on every path.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "graph/op.h"

namespace toonbox::models {

enum class ChannelOrder : uint8_t { kRgb, kBgr };

// 0..255 maps linearly onto [lo, hi] (input) and [lo, hi] back onto 0..255 (output).
struct ValueRange {
  float lo = 0.f, hi = 1.f;
};

// What a model is for: styles are offered by `cartoonize`, the page and
// GET /api/v1/models; detectors are used by portrait mode and never offered as styles;
// face restorers (models/face_restore_contract.h) by `toonbox restore`.
// inpainters (`toonbox inpaint`) take an image and a mask.
enum class ModelRole : uint8_t { kStyle, kFaceDetector, kImageModel, kFaceRestorer, kInpainter };

// How an inpainting model's mask marks the pixels to fill (src/models/inpaint_forms.h).
//   kOneIsHole      float mask, 1 = remove / fill, 0 = keep (LaMa)
//   kZeroIsHole     float mask, 1 = known, 0 = fill (MI-GAN's generator input)
//   kByte255IsKnown uint8 mask, 255 = known, anything else = fill (MI-GAN's ONNX pipeline)
enum class MaskConvention : uint8_t { kNone, kOneIsHole, kZeroIsHole, kByte255IsKnown };
const char* mask_convention_name(MaskConvention m);

// The resolution the authors ran the model at. Style depends on scale: the network was
// trained on photos of a certain size, and at 4K it sees texture it never saw.
struct ProcessingRule {
  // The image is scaled down (area average) so its shorter side is at most this before
  // the model runs, and the result scaled back to the output size. 0: no cap.
  int max_short_side = 0;
  // Sides shorter than this are scaled up to it first (AnimeGANv3's test code uses 256).
  int min_side = 0;
};

// How an inpainting network takes its mask: the mask tensor's value where pixels are
// removed and where they are kept. LaMa: 1 = remove, 0 = keep (float); MI-GAN's ONNX
// pipeline: 0 = remove, 255 = keep (uint8), the opposite. Which inputs there are (image and
// mask apart, or one 4-channel `image*(1-m) || m`) and whether the size is fixed are read
// off the graph (pipeline/inpaint/inpaint_network.h).
struct MaskContract {
  bool present = false;  // the model is an inpainter
  float hole_value = 1.f;
  float known_value = 0.f;
};

struct ImageContract {
  graph::Layout layout = graph::Layout::kNHWC;
  ChannelOrder channels = ChannelOrder::kRgb;
  ValueRange input_range{-1.f, 1.f};
  ValueRange output_range{-1.f, 1.f};
  int size_multiple = 8;  // H and W are padded (edge) up to a multiple of this
  int scale = 1;          // output pixels per input pixel (upscalers: 2, 3, 4)
  // Pixels of reflect padding the network itself eats on every side (Real-CUGAN: 18; its
  // output is scale x (input - 2 x prepadding)). Applied by the upscale pipeline.
  int prepadding = 0;
  ProcessingRule processing;
  MaskContract mask;
};

// "rgb"/"bgr" (either case).
Result<ChannelOrder> parse_channel_order(const std::string& s);
const char* channel_order_name(ChannelOrder c);  // "RGB" / "BGR"
// "LO,HI" with LO < HI, e.g. "-1,1", "0,1", "0,255".
Result<ValueRange> parse_value_range(const std::string& s);
std::string value_range_string(const ValueRange& r);  // "[-1,1]"
// "nchw"/"nhwc" (either case).
Result<graph::Layout> parse_layout(const std::string& s);
const char* role_name(ModelRole role);  // "style", "face-detector", "image-model", "face-restorer", "inpainter"
// "hole=1,known=0" / "hole=0,known=255" (also the names "lama" and "migan").
Result<MaskContract> parse_mask_convention(const std::string& s);
std::string mask_convention_string(const MaskContract& m);  // "mask 1 = remove, 0 = keep"

// One line for `models info` and the device/model line: "NHWC BGR [-1,1], multiple of 8,
// short side <= 720".
std::string describe_contract(const ImageContract& c);

}  // namespace toonbox::models
