#include "ops/reference.h"

#include <algorithm>
#include <cmath>

#include "graph/tensor_geometry.h"
#include "ops/op_defs.h"
#include "ops/reference_util.h"

namespace toonbox::ops {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::broadcast_strides;
using graph::Conv2DParams;
using graph::Graph;
using graph::Layout;
using graph::Node;
using graph::PackParams;
using graph::resize_nearest_index;
using graph::resize_source_coordinate;
using graph::ResizeCoord;
using graph::ResizeMode;
using graph::ResizeParams;
using graph::StridedSliceParams;
using graph::UnaryOp;
using graph::UnaryParams;

double reference_unary(UnaryOp op, double x, float alpha, float beta) {
  switch (op) {
    case UnaryOp::kIdentity: return x;
    case UnaryOp::kRelu: return x > 0 ? x : 0;
    case UnaryOp::kLeakyRelu: return x > 0 ? x : x * alpha;
    case UnaryOp::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryOp::kTanh: return std::tanh(x);
    case UnaryOp::kClip: return std::min<double>(std::max<double>(x, alpha), beta);
    case UnaryOp::kSquare: return x * x;
    case UnaryOp::kSqrt: return std::sqrt(x);
    case UnaryOp::kAbs: return std::abs(x);
    case UnaryOp::kNeg: return -x;
    case UnaryOp::kExp: return std::exp(x);
    case UnaryOp::kLog: return std::log(x);
    case UnaryOp::kRound: return std::nearbyint(x);  // default rounding mode: half to even
    case UnaryOp::kFloor: return std::floor(x);
    case UnaryOp::kErf: return std::erf(x);
    case UnaryOp::kHardSigmoid: return std::max(0.0, std::min(1.0, alpha * x + beta));
    case UnaryOp::kElu: return x > 0 ? x : alpha * (std::exp(x) - 1.0);
    case UnaryOp::kTrunc: return std::trunc(x);
    case UnaryOp::kNonZero: return x != 0 ? 1.0 : 0.0;
    case UnaryOp::kNot: return x == 0 ? 1.0 : 0.0;
  }
  return x;
}

double reference_binary(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kMax: return std::max(a, b);
    case BinaryOp::kMin: return std::min(a, b);
    case BinaryOp::kPow: return std::pow(a, b);
    case BinaryOp::kEqual: return a == b ? 1.0 : 0.0;
    case BinaryOp::kLess: return a < b ? 1.0 : 0.0;
    case BinaryOp::kLessEqual: return a <= b ? 1.0 : 0.0;
    case BinaryOp::kGreater: return a > b ? 1.0 : 0.0;
    case BinaryOp::kGreaterEqual: return a >= b ? 1.0 : 0.0;
    case BinaryOp::kAnd: return (a != 0 && b != 0) ? 1.0 : 0.0;
    case BinaryOp::kOr: return (a != 0 || b != 0) ? 1.0 : 0.0;
    case BinaryOp::kXor: return ((a != 0) != (b != 0)) ? 1.0 : 0.0;
  }
  return 0;
}

namespace {

// out[i] = f(a[ia], b[ib]) with a and b broadcast to out's shape (numpy rules).
template <typename F>
void broadcast_apply(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  const Shape& shape = out.shape();
  const auto sa = broadcast_strides(a.shape(), shape.size()),
             sb = broadcast_strides(b.shape(), shape.size());
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0, n = out.numel(); i < n; ++i) {
    int64_t ia = 0, ib = 0;
    for (int d = 0; d < rank; ++d) {
      ia += idx[d] * sa[d];
      ib += idx[d] * sb[d];
    }
    store(out, i, f(load(a, ia), load(b, ib)));
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

void binary(const Node& node, const Tensor& a, const Tensor& b, Tensor& out) {
  const BinaryOp op = node.p<BinaryParams>().op;
  const bool integer = out.dtype() == DType::kInt32 || out.dtype() == DType::kInt64;
  broadcast_apply(a, b, out, [&](double x, double y) {
    double v = reference_binary(op, x, y);
    if (integer && op == BinaryOp::kDiv) v = std::floor(v);  // TF FloorDiv-like for ints
    if (integer && op == BinaryOp::kPow) v = std::round(v);
    return v;
  });
}

void conv2d(const Node& node, const Tensor& x, const Tensor& w, const Tensor* bias, Tensor& y) {
  const auto& p = node.p<Conv2DParams>();
  const bool nhwc = p.layout == Layout::kNHWC;
  const int64_t N = x.dim(0);
  const int64_t C = nhwc ? x.dim(3) : x.dim(1), H = nhwc ? x.dim(1) : x.dim(2),
                W = nhwc ? x.dim(2) : x.dim(3);
  const int64_t O = w.dim(0), Cg = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const int64_t OH = nhwc ? y.dim(1) : y.dim(2), OW = nhwc ? y.dim(2) : y.dim(3);
  const int64_t Og = O / p.groups;
  auto xi = [&](int64_t n, int64_t c, int64_t h, int64_t ww) {
    return nhwc ? ((n * H + h) * W + ww) * C + c : ((n * C + c) * H + h) * W + ww;
  };
  auto yi = [&](int64_t n, int64_t o, int64_t h, int64_t ww) {
    return nhwc ? ((n * OH + h) * OW + ww) * O + o : ((n * O + o) * OH + h) * OW + ww;
  };
  const float* xd = x.data<float>();
  const float* wd = w.data<float>();
  float* yd = y.data<float>();
  // Rows are independent too: constant folding runs single-channel convolutions over
  // whole images (a guided filter's window-count map), where (n, o) alone give no
  // parallelism.
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t oh = 0; oh < OH; ++oh) {
        const int64_t g = o / Og;
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = bias ? bias->data<float>()[o] : 0.0;
          for (int64_t c = 0; c < Cg; ++c) {
            for (int64_t kh = 0; kh < KH; ++kh) {
              const int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
              if (ih < 0 || ih >= H) continue;
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
                if (iw < 0 || iw >= W) continue;
                acc += static_cast<double>(xd[xi(n, g * Cg + c, ih, iw)]) *
                       wd[((o * Cg + c) * KH + kh) * KW + kw];
              }
            }
          }
          yd[yi(n, o, oh, ow)] = static_cast<float>(
              reference_unary(p.activation.op, acc, p.activation.alpha, p.activation.beta));
        }
      }
    }
  }
}

// The source pixels one output coordinate reads along one axis, with their weights.
struct AxisSample {
  int64_t idx[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
  int taps = 0;
  bool outside = false;  // tf_crop_and_resize: the extrapolation value instead
};

AxisSample resize_axis(const ResizeParams& p, int64_t i, int64_t in, int64_t out, float scale,
                       float roi0, float roi1) {
  const double src = resize_source_coordinate(p.coord, i, in, out, scale, roi0, roi1);
  AxisSample a;
  a.outside = p.coord == ResizeCoord::kTfCropAndResize &&
              (src < 0 || src > static_cast<double>(in - 1));
  switch (p.mode) {
    case ResizeMode::kNearest:
      a.taps = 1;
      a.idx[0] = resize_nearest_index(p.nearest, src, in);
      a.w[0] = 1;
      break;
    case ResizeMode::kBilinear: {
      // TF's rule: lower index clamped at 0, upper at size-1, weight from the unclamped
      // coordinate.
      const double f = std::floor(src);
      a.taps = 2;
      a.idx[0] = std::min(std::max<int64_t>(static_cast<int64_t>(f), 0), in - 1);
      a.idx[1] = std::max<int64_t>(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1), 0);
      a.w[1] = src - f;
      a.w[0] = 1 - a.w[1];
      break;
    }
    case ResizeMode::kCubic: {
      // Keys' cubic convolution, coefficients in float as ONNX Runtime computes them;
      // taps beyond the edge read the edge pixel, or (exclude_outside) drop out and the
      // remaining weights are renormalized.
      const float fs = static_cast<float>(src);
      const int64_t base = static_cast<int64_t>(std::floor(fs));
      const float s = std::abs(fs - static_cast<float>(base)), A = p.cubic_a;
      const float c[4] = {((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A,
                          ((A + 2) * s - (A + 3)) * s * s + 1,
                          ((A + 2) * (1 - s) - (A + 3)) * (1 - s) * (1 - s) + 1,
                          ((A * (2 - s) - 5 * A) * (2 - s) + 8 * A) * (2 - s) - 4 * A};
      a.taps = 4;
      double sum = 0;
      for (int k = 0; k < 4; ++k) {
        const int64_t idx = base - 1 + k;
        a.idx[k] = std::clamp<int64_t>(idx, 0, in - 1);
        a.w[k] = p.exclude_outside && (idx < 0 || idx >= in) ? 0.0 : c[k];
        sum += a.w[k];
      }
      if (p.exclude_outside)
        for (double& w : a.w) w /= sum;
      break;
    }
  }
  return a;
}

void resize(const Node& node, const Tensor& x, Tensor& y) {
  const auto& p = node.p<ResizeParams>();
  const bool nhwc = p.layout == Layout::kNHWC;
  const int64_t N = x.dim(0), C = nhwc ? x.dim(3) : x.dim(1);
  const int64_t H = nhwc ? x.dim(1) : x.dim(2), W = nhwc ? x.dim(2) : x.dim(3);
  const int64_t OH = nhwc ? y.dim(1) : y.dim(2), OW = nhwc ? y.dim(2) : y.dim(3);
  auto at = [&](int64_t n, int64_t c, int64_t h, int64_t w) -> double {
    return x.data<float>()[nhwc ? ((n * H + h) * W + w) * C + c : ((n * C + c) * H + h) * W + w];
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t c = 0; c < C; ++c) {
          const AxisSample sy = resize_axis(p, oh, H, OH, p.scale_h, p.roi_h0, p.roi_h1);
          const AxisSample sx = resize_axis(p, ow, W, OW, p.scale_w, p.roi_w0, p.roi_w1);
          double v = 0;
          if (sy.outside || sx.outside) {
            v = p.extrapolation;
          } else {
            for (int i = 0; i < sy.taps; ++i) {
              double row = 0;
              for (int j = 0; j < sx.taps; ++j) row += sx.w[j] * at(n, c, sy.idx[i], sx.idx[j]);
              v += sy.w[i] * row;
            }
          }
          y.data<float>()[nhwc ? ((n * OH + oh) * OW + ow) * C + c
                               : ((n * C + c) * OH + oh) * OW + ow] = static_cast<float>(v);
        }
}

void strided_slice(const Node& node, const Tensor& x, const Tensor& begin_t,
                  const Tensor& stride_t, Tensor& y) {
  // Shape inference already validated everything and computed y's shape; here we
  // recompute each kept dimension's start and step and copy.
  const auto& p = node.p<StridedSliceParams>();
  const int rank = x.rank();
  std::vector<int64_t> start(rank, 0), step(rank, 1), count(rank, 1);
  auto get = [](const Tensor& t, int i) {
    return t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
  };
  int out_dim = 0;
  for (int d = 0; d < rank; ++d) {
    if (d >= begin_t.numel()) {
      count[d] = x.dim(d);
      ++out_dim;
      continue;
    }
    const int64_t dim = x.dim(d), s = get(stride_t, d);
    int64_t b = get(begin_t, d);
    if (b < 0) b += dim;
    if (p.begin_mask & (int64_t{1} << d)) b = s > 0 ? 0 : dim - 1;
    step[d] = s;
    if (p.shrink_axis_mask & (int64_t{1} << d)) {
      start[d] = b;
      count[d] = 1;
      continue;
    }
    start[d] = s > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, -1, dim - 1);
    count[d] = y.dim(out_dim++);
  }
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0, n = y.numel(); i < n; ++i) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src = src * x.dim(d) + start[d] + idx[d] * step[d];
    store(y, i, load(x, src));
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < count[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

namespace reference_detail {

Status eval_conv2d(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  conv2d(node, *in[0], *in[1], in.size() > 2 ? in[2] : nullptr, out[0]);
  return Status::ok();
}

Status eval_binary(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  binary(node, *in[0], *in[1], out[0]);
  return Status::ok();
}

Status eval_prelu(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  broadcast_apply(*in[0], *in[1], out[0], [](double x, double slope) { return x < 0 ? x * slope : x; });
  return Status::ok();
}

Status eval_unary(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  const auto& p = node.p<UnaryParams>();
  Tensor& y = out[0];
  for (int64_t i = 0; i < y.numel(); ++i)
    store(y, i, reference_unary(p.op, load(*in[0], i), p.alpha, p.beta));
  return Status::ok();
}

Status eval_resize(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  resize(node, *in[0], out[0]);
  return Status::ok();
}

Status eval_identity(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  out[0] = in[0]->clone();
  return Status::ok();
}

Status eval_shape(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  const Shape& s = in[0]->shape();
  for (size_t i = 0; i < s.size(); ++i) out[0].data<int32_t>()[i] = static_cast<int32_t>(s[i]);
  return Status::ok();
}

Status eval_pack(const Node& node, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  // Stacking N equal tensors on `axis`: output index = (outer, k, inner).
  const Shape& s = in[0]->shape();
  int axis = node.p<PackParams>().axis;
  if (axis < 0) axis += static_cast<int>(s.size()) + 1;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= s[d];
  for (size_t d = axis; d < s.size(); ++d) inner *= s[d];
  const int64_t k = static_cast<int64_t>(in.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      for (int64_t i = 0; i < inner; ++i)
        store(out[0], (o * k + j) * inner + i, load(*in[j], o * inner + i));
  return Status::ok();
}

Status eval_fill(const Node&, const std::vector<const Tensor*>& in, std::vector<Tensor>& out) {
  const double v = load(*in[1], 0);
  for (int64_t i = 0; i < out[0].numel(); ++i) store(out[0], i, v);
  return Status::ok();
}

Status eval_strided_slice(const Node& node, const std::vector<const Tensor*>& in,
                          std::vector<Tensor>& out) {
  strided_slice(node, *in[0], *in[1], *in[3], out[0]);
  return Status::ok();
}

}  // namespace reference_detail

Status reference_eval(const Graph& g, const Node& node, const std::vector<const Tensor*>& in,
                      std::vector<Tensor>* outputs) {
  outputs->clear();
  for (int out : node.outputs) {
    TB_ASSIGN_OR_RETURN(Tensor t, Tensor::create(g.value(out).dtype, g.value(out).shape));
    outputs->push_back(std::move(t));
  }
  return op_def(node.kind).reference(node, in, *outputs);
}

Result<std::vector<Tensor>> reference_run(const Graph& g, const std::vector<Tensor>& inputs,
                                          const ReferenceOptions& options) {
  if (inputs.size() != g.inputs().size())
    return invalid_argument("expected " + std::to_string(g.inputs().size()) + " inputs");
  std::vector<Tensor> values(g.values().size());
  for (size_t i = 0; i < inputs.size(); ++i) values[g.inputs()[i]] = inputs[i];
  for (size_t v = 0; v < g.values().size(); ++v)
    if (g.values()[v].constant) values[v] = *g.values()[v].constant;
  for (const Node& node : g.nodes()) {
    std::vector<const Tensor*> in;
    for (int i : node.inputs) in.push_back(&values[i]);
    std::vector<Tensor> out;
    TB_RETURN_IF_ERROR(reference_eval(g, node, in, &out));
    for (size_t i = 0; i < out.size(); ++i) {
      if (options.emulate_fp16_storage && out[i].dtype() == DType::kFloat32) {
        float* d = out[i].data<float>();
        for (int64_t j = 0; j < out[i].numel(); ++j) d[j] = round_to_half(d[j]);
      }
      values[node.outputs[i]] = std::move(out[i]);
    }
  }
  std::vector<Tensor> result;
  for (int out : g.outputs()) result.push_back(values[out]);
  return result;
}

}  // namespace toonbox::ops
