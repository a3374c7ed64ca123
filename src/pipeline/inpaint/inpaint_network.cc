#include "pipeline/inpaint/inpaint_network.h"

#include <new>

#include "image/resize.h"
#include "pipeline/image_tensor.h"

namespace toonbox::pipeline {

namespace {

int channel_dim(const models::ImageContract& c) { return c.layout == graph::Layout::kNHWC ? 3 : 1; }

// [1,C,H,W] or [1,H,W,C].
Shape plane_shape(const models::ImageContract& c, int64_t channels, int64_t h, int64_t w) {
  return c.layout == graph::Layout::kNHWC ? Shape{1, h, w, channels} : Shape{1, channels, h, w};
}

// Writes `mask` (edge-replicated to the tensor's H and W) as the contract's values into
// channel `channel` of a [1,C,H,W] / [1,H,W,C] tensor with `channels` channels.
void fill_mask(const InpaintMask& mask, const models::MaskContract& m,
               const models::ImageContract& c, int channels, int channel, Tensor* t) {
  const bool nhwc = c.layout == graph::Layout::kNHWC;
  const int64_t h = nhwc ? t->dim(1) : t->dim(2), w = nhwc ? t->dim(2) : t->dim(3);
  float* out = t->data<float>();
  for (int64_t y = 0; y < h; ++y) {
    const int sy = static_cast<int>(std::min<int64_t>(y, mask.height - 1));
    for (int64_t x = 0; x < w; ++x) {
      const int sx = static_cast<int>(std::min<int64_t>(x, mask.width - 1));
      const float v = mask.at(sx, sy) ? m.hole_value : m.known_value;
      out[nhwc ? (y * w + x) * channels + channel : (channel * h + y) * w + x] = v;
    }
  }
}

}  // namespace

std::string InpaintInputs::describe() const {
  std::string s = concatenated ? "one 4-channel input (image*(1-mask) || mask)" : "image and mask inputs";
  if (fixed_height > 0)
    s += ", fixed " + std::to_string(fixed_width) + "x" + std::to_string(fixed_height);
  else
    s += ", any size";
  return s;
}

Result<InpaintInputs> inpaint_inputs(const graph::Graph& graph,
                                     const models::ImageContract& contract) {
  const int cdim = channel_dim(contract);
  const int hdim = contract.layout == graph::Layout::kNHWC ? 1 : 2, wdim = hdim + 1;
  std::string seen;
  std::vector<int64_t> channels;
  for (int v : graph.inputs()) {
    const Shape& s = graph.value(v).shape;
    seen += (seen.empty() ? "" : ", ") + graph.value(v).name + " " + shape_to_string(s);
    channels.push_back(s.size() == 4 ? s[cdim] : -2);
  }
  InpaintInputs in;
  const auto refuse = [&]() -> Status {
    return invalid_argument("not an inpainting network toonbox can feed: its inputs are " + seen +
                            "; expected an image [1,3,H,W] and a "
                            "mask [1,1,H,W], or one [1,4,H,W] (image*(1-mask) || mask), in " +
                            (contract.layout == graph::Layout::kNHWC ? "NHWC" : "NCHW") +
                            " (the contract's layout)");
  };
  if (channels.size() == 1 && channels[0] == 4) {
    in.concatenated = true;
  } else if (channels.size() == 2 && ((channels[0] == 3 && channels[1] == 1) || (channels[0] == 1 && channels[1] == 3))) {
    in.image_input = channels[0] == 3 ? 0 : 1;
    in.mask_input = 1 - in.image_input;
  } else {
    return refuse();
  }
  const Shape& s = graph.value(graph.inputs()[in.image_input]).shape;
  if (s[hdim] > 0 && s[wdim] > 0) {
    in.fixed_height = static_cast<int>(s[hdim]);
    in.fixed_width = static_cast<int>(s[wdim]);
  } else if (s[hdim] > 0 || s[wdim] > 0) {
    return invalid_argument("the network's image input " + shape_to_string(s) +
                            " fixes one side only; toonbox runs fixed squares or any size");
  }
  return in;
}

Result<image::Image> run_inpaint_network(engine::Session& session, const InpaintInputs& inputs,
                                         const models::ImageContract& contract,
                                         const image::Image& image, const InpaintMask& mask,
                                         engine::RunReport* report) {
  if (mask.width != image.width || mask.height != image.height)
    return invalid_argument("run_inpaint_network: mask and image sizes differ");
  // At a fixed size the crop is resized (area down, bilinear up) and its mask resized
  // nearest, as IOPaint feeds a 512-only model.
  const bool fixed = inputs.fixed_height > 0;
  image::Image rgb;
  rgb.width = image.width;
  rgb.height = image.height;
  rgb.rgb = image.rgb;  // the network sees colour only; alpha stays with the caller
  const image::Image net_image =
      fixed ? image::resize_image(rgb, inputs.fixed_width, inputs.fixed_height) : rgb;
  const InpaintMask net_mask =
      fixed ? resize_mask_nearest(mask, inputs.fixed_width, inputs.fixed_height) : mask;
  const int64_t h = fixed ? inputs.fixed_height : padded_extent(image.height, contract.size_multiple, 0);
  const int64_t w = fixed ? inputs.fixed_width : padded_extent(image.width, contract.size_multiple, 0);

  Tensor picture = make_image_tensor(contract, 1, h, w);
  fill_image_tensor(net_image, contract, 0, 0, &picture);
  std::vector<Tensor> feeds(inputs.concatenated ? 1 : 2);
  if (inputs.concatenated) {
    // image*(1-m) || m: holes are 0 in the image channels (0 of the tensor's values, as
    // LaMa's masked_img), the mask as channel 3.
    Tensor four(DType::kFloat32, plane_shape(contract, 4, h, w));
    if (four.empty()) throw std::bad_alloc();
    const bool nhwc = contract.layout == graph::Layout::kNHWC;
    const float* src = picture.data<float>();
    float* dst = four.data<float>();
    for (int64_t y = 0; y < h; ++y) {
      const int sy = static_cast<int>(std::min<int64_t>(y, net_mask.height - 1));
      for (int64_t x = 0; x < w; ++x) {
        const bool hole = net_mask.at(static_cast<int>(std::min<int64_t>(x, net_mask.width - 1)), sy);
        for (int k = 0; k < 3; ++k) {
          const float v = hole ? 0.f : src[nhwc ? (y * w + x) * 3 + k : (k * h + y) * w + x];
          dst[nhwc ? (y * w + x) * 4 + k : (k * h + y) * w + x] = v;
        }
      }
    }
    fill_mask(net_mask, contract.mask, contract, 4, 3, &four);
    feeds[0] = std::move(four);
  } else {
    Tensor m(DType::kFloat32, plane_shape(contract, 1, h, w));
    if (m.empty()) throw std::bad_alloc();
    fill_mask(net_mask, contract.mask, contract, 1, 0, &m);
    feeds[inputs.image_input] = std::move(picture);
    feeds[inputs.mask_input] = std::move(m);
  }
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session.run(feeds, report));
  if (outs.empty()) return invalid_argument("the inpainting network returned no output");
  TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(outs[0], 0, contract));
  if (px.height() != h || px.width() != w)
    return invalid_argument("the inpainting network's output " + shape_to_string(outs[0].shape()) +
                            " is not the size of its input (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  if (!fixed) return output_to_image(px, 0, 0, image.width, image.height);
  const image::Image at_model = output_to_image(px, 0, 0, static_cast<int>(w), static_cast<int>(h));
  return image::resize_image(at_model, image.width, image.height);
}

}  // namespace toonbox::pipeline
