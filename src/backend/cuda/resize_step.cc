#include "backend/cuda/resize_step.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

namespace {

class ResizeStep final : public Step {
 public:
  // `add`: the Add fused after the resize (resize_add_fusion.h), or null.
  Status build(const BuildContext& ctx, const graph::Node& node, const std::string& description,
               const graph::Node* add) {
    description_ = description;
    const graph::Graph& g = *ctx.graph;
    const auto& p = node.p<graph::ResizeParams>();
    const Shape& x = g.value(node.inputs[0]).shape;
    const Shape& y = g.value(node.outputs[0]).shape;
    half_ = is_half(ctx.precision);
    dims_.nhwc = p.layout == graph::Layout::kNHWC;
    dims_.nearest = p.mode == graph::ResizeMode::kNearest;
    dims_.n = static_cast<int>(x[0]);
    dims_.c = static_cast<int>(dims_.nhwc ? x[3] : x[1]);
    dims_.h = static_cast<int>(dims_.nhwc ? x[1] : x[2]);
    dims_.w = static_cast<int>(dims_.nhwc ? x[2] : x[3]);
    dims_.out_h = static_cast<int>(dims_.nhwc ? y[1] : y[2]);
    dims_.out_w = static_cast<int>(dims_.nhwc ? y[2] : y[3]);
    dims_.extrapolation = p.extrapolation;
    cubic_ = p.mode == graph::ResizeMode::kCubic;
    if (cubic_) {
      std::vector<backend::CubicTap> taps =
          backend::cubic_taps(p, dims_.h, dims_.out_h, backend::ResizeAxis::kHeight);
      const std::vector<backend::CubicTap> x_taps =
          backend::cubic_taps(p, dims_.w, dims_.out_w, backend::ResizeAxis::kWidth);
      taps.insert(taps.end(), x_taps.begin(), x_taps.end());
      TB_RETURN_IF_ERROR(upload_taps(ctx, taps));
    } else {
      std::vector<backend::ResizeTap> taps =
          backend::resize_taps(p, dims_.h, dims_.out_h, backend::ResizeAxis::kHeight);
      const std::vector<backend::ResizeTap> x_taps =
          backend::resize_taps(p, dims_.w, dims_.out_w, backend::ResizeAxis::kWidth);
      taps.insert(taps.end(), x_taps.begin(), x_taps.end());
      TB_RETURN_IF_ERROR(upload_taps(ctx, taps));
    }
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    if (add == nullptr) {
      TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
      return Status::ok();
    }
    const int up = node.outputs[0];
    TB_ASSIGN_OR_RETURN(addend_, ctx.value_ptr(add->inputs[0] == up ? add->inputs[1] : add->inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(add->outputs[0]));
    return Status::ok();
  }

  template <typename Tap>
  Status upload_taps(const BuildContext& ctx, const std::vector<Tap>& taps) {
    TB_ASSIGN_OR_RETURN(taps_, DeviceBuffer::allocate(taps.size() * sizeof(Tap), "resize taps"));
    return upload(ctx.step.stream, taps_.get(), taps.data(), taps.size() * sizeof(Tap));
  }

  Status run(const StepContext& ctx) override {
    if (cubic_) {
      const backend::CubicTap* y_taps = taps_.as<backend::CubicTap>();
      const backend::CubicTap* x_taps = y_taps + dims_.out_h;
      if (half_) {
        TB_CUDA_RETURN_IF_ERROR(launch_resize_cubic<__half>(static_cast<const __half*>(x_),
                                                            static_cast<__half*>(y_), dims_, y_taps,
                                                            x_taps, ctx.stream));
      } else {
        TB_CUDA_RETURN_IF_ERROR(launch_resize_cubic<float>(static_cast<const float*>(x_),
                                                           static_cast<float*>(y_), dims_, y_taps,
                                                           x_taps, ctx.stream));
      }
      return Status::ok();
    }
    const backend::ResizeTap* y_taps = taps_.as<backend::ResizeTap>();
    const backend::ResizeTap* x_taps = y_taps + dims_.out_h;
    if (half_) {
      TB_CUDA_RETURN_IF_ERROR(launch_resize<__half>(static_cast<const __half*>(x_), static_cast<__half*>(y_),
                                                    dims_, y_taps, x_taps, ctx.stream,
                                                    static_cast<const __half*>(addend_)));
    } else {
      TB_CUDA_RETURN_IF_ERROR(launch_resize<float>(static_cast<const float*>(x_), static_cast<float*>(y_),
                                                   dims_, y_taps, x_taps, ctx.stream,
                                                   static_cast<const float*>(addend_)));
    }
    return Status::ok();
  }

 private:
  bool half_ = false;
  bool cubic_ = false;
  ResizeDims dims_;
  DeviceBuffer taps_;
  void* x_ = nullptr;
  void* y_ = nullptr;
  const void* addend_ = nullptr;  // the fused Add's other input
};

std::string resize_description(const graph::Graph& g, const graph::Node& node,
                               Precision precision) {
  const auto& p = node.p<graph::ResizeParams>();
  static const char* kCoord[] = {"asymmetric",         "half_pixel",           "align_corners",
                                 "pytorch_half_pixel", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  static const char* kMode[] = {"bilinear ", "nearest ", "cubic "};
  return "node '" + node.name + "' (Resize " + kMode[static_cast<int>(p.mode)] +
         kCoord[static_cast<int>(p.coord)] +
         (p.layout == graph::Layout::kNHWC ? " NHWC " : " NCHW ") +
         shape_to_string(g.value(node.inputs[0]).shape) + " -> " +
         shape_to_string(g.value(node.outputs[0]).shape) + " " + precision_name(precision) + ")";
}

}  // namespace

Result<std::unique_ptr<Step>> make_resize(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<ResizeStep>();
  const std::string d = resize_description(*ctx.graph, node, ctx.precision);
  TB_RETURN_IF_ERROR(step->build(ctx, node, d, nullptr).with_context(d));
  return std::unique_ptr<Step>(std::move(step));
}

Result<std::unique_ptr<Step>> make_resize_add(const BuildContext& ctx, const graph::Node& resize,
                                              const graph::Node& add) {
  auto step = std::make_unique<ResizeStep>();
  std::string d = resize_description(*ctx.graph, resize, ctx.precision);
  d.insert(d.size() - 1, ", + '" + add.name + "' fused");
  TB_RETURN_IF_ERROR(step->build(ctx, resize, d, &add).with_context(d));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
