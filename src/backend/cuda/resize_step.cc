#include "backend/cuda/resize_step.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

namespace {

// Mirrors resize_source() in ops/reference.cc: computed in float32, as TensorFlow and
// ONNX Runtime do; nearest picks at exact half-way points (2.5 * 1.4f - 0.5) and the
// last align-corners column (3 * (10 / 3.f)) depend on that rounding.
double source_coordinate(ResizeCoord coord, int64_t i, int64_t in, int64_t out) {
  const float fi = static_cast<float>(i);
  switch (coord) {
    case ResizeCoord::kAsymmetric:
      return fi * (static_cast<float>(in) / static_cast<float>(out));
    case ResizeCoord::kHalfPixel:
      return (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out)) - 0.5f;
    case ResizeCoord::kAlignCorners:
      return out > 1 ? fi * (static_cast<float>(in - 1) / static_cast<float>(out - 1)) : 0.f;
  }
  return 0;
}

// Mirrors nearest_index() in ops/reference.cc.
int64_t nearest_source(NearestRounding r, double src, int64_t in) {
  double v = 0;
  switch (r) {
    case NearestRounding::kFloor: v = std::floor(src); break;
    case NearestRounding::kCeil: v = std::ceil(src); break;
    case NearestRounding::kRoundPreferFloor:
      v = (src - std::floor(src) == 0.5) ? std::floor(src) : std::round(src);
      break;
    case NearestRounding::kRoundPreferCeil: v = std::round(src); break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(v), 0, in - 1);
}

class ResizeStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const Node& node, const std::string& description) {
    description_ = description;
    const Graph& g = *ctx.graph;
    const auto& p = node.p<ResizeParams>();
    const Shape& x = g.value(node.inputs[0]).shape;
    const Shape& y = g.value(node.outputs[0]).shape;
    half_ = is_half(ctx.precision);
    dims_.nhwc = p.layout == Layout::kNHWC;
    dims_.nearest = p.mode == ResizeMode::kNearest;
    dims_.n = static_cast<int>(x[0]);
    dims_.c = static_cast<int>(dims_.nhwc ? x[3] : x[1]);
    dims_.h = static_cast<int>(dims_.nhwc ? x[1] : x[2]);
    dims_.w = static_cast<int>(dims_.nhwc ? x[2] : x[3]);
    dims_.out_h = static_cast<int>(dims_.nhwc ? y[1] : y[2]);
    dims_.out_w = static_cast<int>(dims_.nhwc ? y[2] : y[3]);
    std::vector<ResizeTap> taps = resize_taps(p, dims_.h, dims_.out_h);
    const std::vector<ResizeTap> x_taps = resize_taps(p, dims_.w, dims_.out_w);
    taps.insert(taps.end(), x_taps.begin(), x_taps.end());
    TB_ASSIGN_OR_RETURN(taps_, DeviceBuffer::allocate(taps.size() * sizeof(ResizeTap), "resize taps"));
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, taps_.get(), taps.data(), taps.size() * sizeof(ResizeTap)));
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    return Status::ok();
  }

  Status run(const StepContext& ctx) override {
    const ResizeTap* y_taps = taps_.as<ResizeTap>();
    const ResizeTap* x_taps = y_taps + dims_.out_h;
    if (half_) {
      TB_CUDA_RETURN_IF_ERROR(launch_resize<__half>(static_cast<const __half*>(x_), static_cast<__half*>(y_),
                                                    dims_, y_taps, x_taps, ctx.stream));
    } else {
      TB_CUDA_RETURN_IF_ERROR(launch_resize<float>(static_cast<const float*>(x_), static_cast<float*>(y_),
                                                   dims_, y_taps, x_taps, ctx.stream));
    }
    return Status::ok();
  }

 private:
  bool half_ = false;
  ResizeDims dims_;
  DeviceBuffer taps_;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

std::string resize_description(const Graph& g, const Node& node, Precision precision) {
  const auto& p = node.p<ResizeParams>();
  static const char* kCoord[] = {"asymmetric", "half_pixel", "align_corners"};
  return "node '" + node.name + "' (Resize " + (p.mode == ResizeMode::kNearest ? "nearest " : "bilinear ") +
         kCoord[static_cast<int>(p.coord)] + (p.layout == Layout::kNHWC ? " NHWC " : " NCHW ") +
         shape_to_string(g.value(node.inputs[0]).shape) + " -> " +
         shape_to_string(g.value(node.outputs[0]).shape) + " " + precision_name(precision) + ")";
}

}  // namespace

std::vector<ResizeTap> resize_taps(const ResizeParams& p, int64_t in, int64_t out) {
  std::vector<ResizeTap> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const double src = source_coordinate(p.coord, i, in, out);
    ResizeTap& t = taps[i];
    if (p.mode == ResizeMode::kNearest) {
      t.i0 = t.i1 = static_cast<int32_t>(nearest_source(p.nearest, src, in));
      continue;
    }
    // TensorFlow's rule, as the reference: lower index clamped at 0 (and to the last
    // pixel), upper index clamped at in-1, weight from the unclamped coordinate.
    const double f = std::floor(src);
    const int64_t lo = std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(f), 0), in - 1);
    const int64_t hi = std::max<int64_t>(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1), 0);
    t.i0 = static_cast<int32_t>(lo);
    t.i1 = static_cast<int32_t>(hi);
    t.w = static_cast<float>(src - f);
  }
  return taps;
}

Result<std::unique_ptr<Step>> make_resize(const BuildContext& ctx, const Node& node) {
  auto step = std::make_unique<ResizeStep>();
  const std::string d = resize_description(*ctx.graph, node, ctx.precision);
  TB_RETURN_IF_ERROR(step->build(ctx, node, d).with_context(d));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
