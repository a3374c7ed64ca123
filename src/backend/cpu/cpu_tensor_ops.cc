#include "backend/cpu/cpu_tensor_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "backend/cpu/cpu_kernels.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cpu {

using graph::ConcatParams;
using graph::ConvTransposeParams;
using graph::Graph;
using graph::Node;
using graph::padded_window_count;
using graph::PoolKind;
using graph::PoolParams;
using graph::ReduceOp;
using graph::SoftmaxParams;

namespace {

void run_gather(const backend::GatherTable& t, const float* x, float* y) {
  const int rank = static_cast<int>(t.out.size());
  if (rank == 0) {
    y[0] = x[0];
    return;
  }
  const int64_t inner = t.out[rank - 1];
  const int64_t rows = inner == 0 ? 0 : shape_numel(t.out) / inner;
  const auto& last = t.offs[rank - 1];
  bool contiguous = inner > 0;
  for (int64_t i = 0; i < inner && contiguous; ++i) contiguous = last[i] == last[0] + i;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, base = 0;
    bool fill = false;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t o = t.offs[d][rem % t.out[d]];
      rem /= t.out[d];
      fill = fill || o < 0;
      base += o;
    }
    float* dst = y + r * inner;
    if (fill) {
      std::fill(dst, dst + inner, t.fill);
    } else if (contiguous) {
      std::memcpy(dst, x + base + last[0], static_cast<size_t>(inner) * sizeof(float));
    } else {
      for (int64_t i = 0; i < inner; ++i) dst[i] = last[i] < 0 ? t.fill : x[base + last[i]];
    }
  }
}

void run_concat(const std::vector<const float*>& xs, const std::vector<int64_t>& chunk,
                int64_t outer, float* y) {
  int64_t total = 0;
  for (int64_t c : chunk) total += c;
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < outer; ++o) {
    float* dst = y + o * total;
    for (size_t k = 0; k < xs.size(); ++k) {
      std::memcpy(dst, xs[k] + o * chunk[k], static_cast<size_t>(chunk[k]) * sizeof(float));
      dst += chunk[k];
    }
  }
}

void run_reduce(const backend::ReducePlan& p, const float* x, float* y) {
  const int64_t n = static_cast<int64_t>(p.base.size());
  const int64_t m = static_cast<int64_t>(p.members.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float* b = x + p.base[i];
    double acc = p.op == ReduceOp::kMax   ? -std::numeric_limits<double>::infinity()
                 : p.op == ReduceOp::kMin ? std::numeric_limits<double>::infinity()
                                          : 0.0;
    for (int64_t k = 0; k < m; ++k) {
      const double v = b[p.members[k]];
      if (p.op == ReduceOp::kMax)
        acc = std::max(acc, v);
      else if (p.op == ReduceOp::kMin)
        acc = std::min(acc, v);
      else
        acc += v;
    }
    y[i] = static_cast<float>(p.op == ReduceOp::kMean ? acc / static_cast<double>(m) : acc);
  }
}

void run_softmax(const float* x, float* y, int64_t outer, int64_t len, int64_t inner) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float* src = x + o * len * inner + i;
      float* dst = y + o * len * inner + i;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < len; ++k) mx = std::max(mx, src[k * inner]);
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) {
        const float e = std::exp(src[k * inner] - mx);
        dst[k * inner] = e;
        sum += e;
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t k = 0; k < len; ++k) dst[k * inner] *= inv;
    }
}

void run_pool(const PoolParams& p, const Shape& xs, const Shape& ys, const float* x, float* y) {
  const int64_t NC = xs[0] * xs[1], H = xs[2], W = xs[3], OH = ys[2], OW = ys[3];
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t nc = 0; nc < NC; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh) {
      const float* plane = x + nc * H * W;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * p.stride_h - p.pad_top, w0 = ow * p.stride_w - p.pad_left;
        float mx = -std::numeric_limits<float>::infinity();
        float sum = 0.f;
        int64_t count = 0;
        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
          const int64_t ih = h0 + kh * p.dilation_h;
          if (ih < 0 || ih >= H) continue;
          for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
            const int64_t iw = w0 + kw * p.dilation_w;
            if (iw < 0 || iw >= W) continue;
            const float v = plane[ih * W + iw];
            mx = std::max(mx, v);
            sum += v;
            ++count;
          }
        }
        float r = mx;
        if (p.kind == PoolKind::kAverage) {
          if (p.count_include_pad) count = padded_window_count(p, h0, w0, H, W);
          r = count > 0 ? sum / static_cast<float>(count) : 0.f;
        }
        y[(nc * OH + oh) * OW + ow] = r;
      }
    }
}

void run_matmul(const backend::MatMulPlan& p, const float* a, const float* b, float* y) {
  const int64_t batches = static_cast<int64_t>(p.a_off.size());
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t i = 0; i < p.M; ++i) {
      const float* ar = a + p.a_off[bi] + i * p.K;
      const float* bm = b + p.b_off[bi];
      float* yr = y + (bi * p.M + i) * p.N;
      std::fill(yr, yr + p.N, 0.f);
      for (int64_t k = 0; k < p.K; ++k) {
        const float av = ar[k];
        const float* br = bm + k * p.N;
        for (int64_t j = 0; j < p.N; ++j) yr[j] += av * br[j];
      }
    }
}

void run_conv_transpose(const ConvTransposeParams& p, const Shape& xs, const Shape& ws,
                        const Shape& ys, const float* x, const float* w, const float* bias,
                        float* y) {
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const int64_t Cg = C / p.groups, Og = ws[1], KH = ws[2], KW = ws[3];
  const int64_t O = ys[1], OH = ys[2], OW = ys[3];
  // Gather form: each output pixel sums the input pixels whose kernel window covers it.
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oh = 0; oh < OH; ++oh) {
        const int64_t g = o / Og, og = o % Og;
        for (int64_t ow = 0; ow < OW; ++ow) {
          float acc = bias ? bias[o] : 0.f;
          for (int64_t kh = 0; kh < KH; ++kh) {
            const int64_t th = oh + p.pad_top - kh * p.dilation_h;
            if (th < 0 || th % p.stride_h != 0) continue;
            const int64_t ih = th / p.stride_h;
            if (ih >= H) continue;
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t tw = ow + p.pad_left - kw * p.dilation_w;
              if (tw < 0 || tw % p.stride_w != 0) continue;
              const int64_t iw = tw / p.stride_w;
              if (iw >= W) continue;
              for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c)
                acc += x[((n * C + c) * H + ih) * W + iw] * w[((c * Og + og) * KH + kh) * KW + kw];
            }
          }
          y[((n * O + o) * OH + oh) * OW + ow] = acc;
        }
      }
}

}  // namespace

Step gather_step(const Graph& g, const Node& node, backend::GatherTable table, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  return [t = std::move(table), ptr, x, y] { run_gather(t, ptr(x), ptr(y)); };
}

Step copy_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  const size_t bytes = static_cast<size_t>(shape_numel(g.value(y).shape)) * sizeof(float);
  return [ptr, x, y, bytes] {
    if (ptr(x) != ptr(y)) std::memcpy(ptr(y), ptr(x), bytes);
  };
}

Step concat_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int y = node.outputs[0];
  const Shape& ys = g.value(y).shape;
  const int axis = node.p<ConcatParams>().axis;
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= ys[d];
  std::vector<int64_t> chunk;
  for (int in : node.inputs) chunk.push_back(shape_numel(g.value(in).shape) / std::max<int64_t>(outer, 1));
  std::vector<int> ins = node.inputs;
  return [ptr, ins, chunk, outer, y] {
    std::vector<const float*> src;
    for (int in : ins) src.push_back(ptr(in));
    run_concat(src, chunk, outer, ptr(y));
  };
}

Step where_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int c = node.inputs[0], a = node.inputs[1], b = node.inputs[2], y = node.outputs[0];
  const Shape cs = g.value(c).shape, as = g.value(a).shape, bs = g.value(b).shape,
              ys = g.value(y).shape;
  return [=] { where(ptr(c), cs, ptr(a), as, ptr(b), bs, ptr(y), ys); };
}

Step reduce_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  return [plan = backend::reduce_plan(g, node), ptr, x, y] { run_reduce(plan, ptr(x), ptr(y)); };
}

Step softmax_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  const backend::SoftmaxPlan p =
      backend::softmax_plan(g.value(x).shape, node.p<SoftmaxParams>().axis);
  return [=] { run_softmax(ptr(x), ptr(y), p.outer, p.len, p.inner); };
}

Step pool_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  const Shape xs = g.value(x).shape, ys = g.value(y).shape;
  const PoolParams p = node.p<PoolParams>();
  return [=] { run_pool(p, xs, ys, ptr(x), ptr(y)); };
}

Step matmul_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int a = node.inputs[0], b = node.inputs[1], y = node.outputs[0];
  backend::MatMulPlan plan =
      backend::matmul_plan(g.value(a).shape, g.value(b).shape, g.value(y).shape);
  return [plan = std::move(plan), ptr, a, b, y] { run_matmul(plan, ptr(a), ptr(b), ptr(y)); };
}

Step conv_transpose_step(const Graph& g, const Node& node, PointerOf ptr) {
  const int x = node.inputs[0], w = node.inputs[1], y = node.outputs[0];
  const int bias = node.inputs.size() > 2 ? node.inputs[2] : -1;
  const Shape xs = g.value(x).shape, ws = g.value(w).shape, ys = g.value(y).shape;
  const ConvTransposeParams p = node.p<ConvTransposeParams>();
  return [=] {
    run_conv_transpose(p, xs, ws, ys, ptr(x), ptr(w), bias >= 0 ? ptr(bias) : nullptr, ptr(y));
  };
}

}  // namespace toonbox::cpu
