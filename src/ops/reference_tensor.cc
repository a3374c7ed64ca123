// Reference kernels of the tensor ops (ONNX semantics). Data movement copies elements
// byte for byte (int64 shape values must survive exactly); arithmetic accumulates in
// double.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "graph/tensor_geometry.h"
#include "ops/reference_util.h"

namespace toonbox::ops {

using graph::ConcatParams;
using graph::ConvTransposeParams;
using graph::depth_to_space_source;
using graph::DepthToSpaceParams;
using graph::GatherParams;
using graph::ImageCoord;
using graph::instance_norm_dims;
using graph::InstanceNormDims;
using graph::InstanceNormParams;
using graph::Layout;
using graph::Node;
using graph::pad_source_indices;
using graph::padded_window_count;
using graph::PadParams;
using graph::PoolKind;
using graph::PoolParams;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::resolve_slice;
using graph::SliceGeometry;
using graph::SoftmaxParams;
using graph::space_to_depth_source;
using graph::SpaceToDepthParams;
using graph::TransposeParams;

namespace {

std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    v[i] = t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
  return v;
}

// Calls f(index, linear) for every element of `shape`, row-major.
template <typename F>
void for_each_index(const Shape& shape, F f) {
  const int64_t n = shape_numel(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    f(idx, i);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

void copy_elem(const Tensor& x, int64_t src, Tensor& y, int64_t dst) {
  const size_t es = dtype_size(x.dtype());
  std::memcpy(static_cast<std::byte*>(y.raw()) + dst * es,
              static_cast<const std::byte*>(x.raw()) + src * es, es);
}

// Linear offset of `idx` in `shape` under numpy broadcasting (idx has out's rank).
int64_t broadcast_offset(const Shape& shape, const std::vector<int64_t>& idx) {
  const size_t off = idx.size() - shape.size();
  int64_t o = 0;
  for (size_t d = 0; d < shape.size(); ++d) o = o * shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
  return o;
}

int64_t offset_of(const Shape& shape, const std::vector<int64_t>& idx) {
  int64_t o = 0;
  for (size_t d = 0; d < shape.size(); ++d) o = o * shape[d] + idx[d];
  return o;
}

Status conv_transpose(const Node& node, const Tensor& x, const Tensor& w, const Tensor* b,
                      Tensor& y) {
  const auto& p = node.p<ConvTransposeParams>();
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t Cg = C / p.groups, Og = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const int64_t O = y.dim(1), OH = y.dim(2), OW = y.dim(3);
  std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
  // Scatter form, the definition: every input pixel adds its kernel-weighted copy.
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const int64_t g = c / Cg;
      for (int64_t ih = 0; ih < H; ++ih)
        for (int64_t iw = 0; iw < W; ++iw) {
          const double v = load(x, ((n * C + c) * H + ih) * W + iw);
          for (int64_t og = 0; og < Og; ++og)
            for (int64_t kh = 0; kh < KH; ++kh) {
              const int64_t oh = ih * p.stride_h - p.pad_top + kh * p.dilation_h;
              if (oh < 0 || oh >= OH) continue;
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ow = iw * p.stride_w - p.pad_left + kw * p.dilation_w;
                if (ow < 0 || ow >= OW) continue;
                const int64_t o = g * Og + og;
                acc[((n * O + o) * OH + oh) * OW + ow] +=
                    v * load(w, ((c * Og + og) * KH + kh) * KW + kw);
              }
            }
        }
    }
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int64_t o = (i / (OH * OW)) % O;
    store(y, i, acc[i] + (b ? load(*b, o) : 0.0));
  }
  return Status::ok();
}

Status matmul(const Tensor& a, const Tensor& b, Tensor& y) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), Nn = bs.back();
  Shape batch(y.shape().begin(), y.shape().end() - (a.rank() > 1) - (b.rank() > 1));
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  int64_t out = 0;
  for_each_index(batch, [&](const std::vector<int64_t>& idx, int64_t) {
    const int64_t oa = broadcast_offset(ab, idx) * M * K, ob = broadcast_offset(bb, idx) * K * Nn;
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < Nn; ++j) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) s += load(a, oa + i * K + k) * load(b, ob + k * Nn + j);
        store(y, out++, s);
      }
  });
  return Status::ok();
}

Status pool(const Node& node, const Tensor& x, Tensor& y) {
  const auto& p = node.p<PoolParams>();
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = y.dim(2), OW = y.dim(3);
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * p.stride_h - p.pad_top, w0 = ow * p.stride_w - p.pad_left;
        double acc = p.kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
          const int64_t ih = h0 + kh * p.dilation_h;
          if (ih < 0 || ih >= H) continue;
          for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
            const int64_t iw = w0 + kw * p.dilation_w;
            if (iw < 0 || iw >= W) continue;
            const double v = load(x, (nc * H + ih) * W + iw);
            acc = p.kind == PoolKind::kMax ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (p.kind == PoolKind::kAverage) {
          if (p.count_include_pad) count = padded_window_count(p, h0, w0, H, W);
          acc = count > 0 ? acc / count : 0.0;
        }
        store(y, (nc * OH + oh) * OW + ow, acc);
      }
  return Status::ok();
}

Status reduce(const Node& node, const Tensor& x, Tensor& y) {
  const auto& p = node.p<ReduceParams>();
  const Shape& xs = x.shape();
  Shape kept(xs.size());  // x's shape with reduced dims set to 1
  for (size_t d = 0; d < xs.size(); ++d)
    kept[d] = std::binary_search(p.axes.begin(), p.axes.end(), static_cast<int64_t>(d)) ? 1 : xs[d];
  const int64_t n = y.numel();
  std::vector<double> acc(n, p.op == ReduceOp::kMax   ? -std::numeric_limits<double>::infinity()
                             : p.op == ReduceOp::kMin ? std::numeric_limits<double>::infinity()
                                                      : 0.0);
  const int64_t count = shape_numel(xs) / std::max<int64_t>(n, 1);
  for_each_index(xs, [&](const std::vector<int64_t>& idx, int64_t i) {
    const int64_t o = broadcast_offset(kept, idx);
    const double v = load(x, i);
    switch (p.op) {
      case ReduceOp::kMean:
      case ReduceOp::kSum:
        acc[o] += v;
        break;
      case ReduceOp::kMax:
        acc[o] = std::max(acc[o], v);
        break;
      case ReduceOp::kMin:
        acc[o] = std::min(acc[o], v);
        break;
    }
  });
  for (int64_t i = 0; i < n; ++i)
    store(y, i, p.op == ReduceOp::kMean ? acc[i] / static_cast<double>(count) : acc[i]);
  return Status::ok();
}

Status softmax(const Node& node, const Tensor& x, Tensor& y) {
  const int axis = node.p<SoftmaxParams>().axis;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t len = x.dim(axis);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * len * inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < len; ++k) mx = std::max(mx, load(x, base + k * inner));
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) sum += std::exp(load(x, base + k * inner) - mx);
      for (int64_t k = 0; k < len; ++k)
        store(y, base + k * inner, std::exp(load(x, base + k * inner) - mx) / sum);
    }
  return Status::ok();
}

}  // namespace

namespace reference_detail {

Status eval_conv_transpose(const Node& node, const Inputs& in, Outputs& out) {
  return conv_transpose(node, *in[0], *in[1], in.size() > 2 ? in[2] : nullptr, out[0]);
}

Status eval_matmul(const Node&, const Inputs& in, Outputs& out) {
  return matmul(*in[0], *in[1], out[0]);
}

Status eval_pool(const Node& node, const Inputs& in, Outputs& out) {
  return pool(node, *in[0], out[0]);
}

Status eval_reduce(const Node& node, const Inputs& in, Outputs& out) {
  return reduce(node, *in[0], out[0]);
}

Status eval_softmax(const Node& node, const Inputs& in, Outputs& out) {
  return softmax(node, *in[0], out[0]);
}

Status eval_transpose(const Node& node, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  Tensor& y = out[0];
  const auto& perm = node.p<TransposeParams>().perm;
  std::vector<int64_t> src(x.rank());
  for_each_index(y.shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    for (size_t d = 0; d < perm.size(); ++d) src[perm[d]] = idx[d];
    copy_elem(x, offset_of(x.shape(), src), y, i);
  });
  return Status::ok();
}

Status eval_reshape(const Node&, const Inputs& in, Outputs& out) {
  std::memcpy(out[0].raw(), in[0]->raw(), in[0]->nbytes());
  return Status::ok();
}

Status eval_cast(const Node&, const Inputs& in, Outputs& out) {
  for (int64_t i = 0; i < out[0].numel(); ++i) store(out[0], i, load(*in[0], i));
  return Status::ok();
}

Status eval_concat(const Node& node, const Inputs& in, Outputs& out) {
  Tensor& y = out[0];
  const int axis = node.p<ConcatParams>().axis;
  int64_t base = 0;
  for (const Tensor* t : in) {
    for_each_index(t->shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
      std::vector<int64_t> o = idx;
      o[axis] += base;
      copy_elem(*t, i, y, offset_of(y.shape(), o));
    });
    base += t->dim(axis);
  }
  return Status::ok();
}

Status eval_slice(const Node&, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  Tensor& y = out[0];
  TB_ASSIGN_OR_RETURN(SliceGeometry geo,
                      resolve_slice(x.shape(), ints_of(*in[1]), ints_of(*in[2]),
                                    in.size() > 3 ? ints_of(*in[3]) : std::vector<int64_t>{},
                                    in.size() > 4 ? ints_of(*in[4]) : std::vector<int64_t>{}));
  std::vector<int64_t> src(x.rank());
  for_each_index(y.shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    for (int d = 0; d < x.rank(); ++d) src[d] = geo.start[d] + idx[d] * geo.step[d];
    copy_elem(x, offset_of(x.shape(), src), y, i);
  });
  return Status::ok();
}

Status eval_pad(const Node& node, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  Tensor& y = out[0];
  const auto& p = node.p<PadParams>();
  TB_ASSIGN_OR_RETURN(auto maps, pad_source_indices(x.shape(), ints_of(*in[1]), p.mode));
  std::vector<int64_t> src(x.rank());
  for_each_index(y.shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    bool inside = true;
    for (int d = 0; d < x.rank(); ++d) {
      src[d] = maps[d][idx[d]];
      inside = inside && src[d] >= 0;
    }
    if (inside)
      copy_elem(x, offset_of(x.shape(), src), y, i);
    else
      store(y, i, p.value);
  });
  return Status::ok();
}

Status eval_gather(const Node& node, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  Tensor& y = out[0];
  const int axis = node.p<GatherParams>().axis;
  const std::vector<int64_t> ids = ints_of(*in[1]);
  const int ir = in[1]->rank();
  std::vector<int64_t> src(x.rank());
  for (int64_t id : ids)
    if (id < -x.dim(axis) || id >= x.dim(axis))
      return invalid_argument("Gather index " + std::to_string(id) + " out of range");
  for_each_index(y.shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    for (int d = 0; d < axis; ++d) src[d] = idx[d];
    int64_t id = ids[offset_of(in[1]->shape(),
                               std::vector<int64_t>(idx.begin() + axis, idx.begin() + axis + ir))];
    src[axis] = id < 0 ? id + x.dim(axis) : id;
    for (int d = axis + 1; d < x.rank(); ++d) src[d] = idx[d - 1 + ir];
    copy_elem(x, offset_of(x.shape(), src), y, i);
  });
  return Status::ok();
}

Status eval_expand(const Node&, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  for_each_index(out[0].shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    copy_elem(x, broadcast_offset(x.shape(), idx), out[0], i);
  });
  return Status::ok();
}

Status eval_tile(const Node&, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  std::vector<int64_t> src(x.rank());
  for_each_index(out[0].shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    for (int d = 0; d < x.rank(); ++d) src[d] = idx[d] % x.dim(d);
    copy_elem(x, offset_of(x.shape(), src), out[0], i);
  });
  return Status::ok();
}

Status eval_where(const Node&, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  for_each_index(out[0].shape(), [&](const std::vector<int64_t>& idx, int64_t i) {
    const bool c = load(x, broadcast_offset(x.shape(), idx)) != 0;
    const Tensor& src = c ? *in[1] : *in[2];
    copy_elem(src, broadcast_offset(src.shape(), idx), out[0], i);
  });
  return Status::ok();
}

namespace {

// Copies every output element of an image op from the input element `source` names
// (both in logical NCHW coordinates; `layout` says how they are stored).
template <typename F>
void move_image(const Tensor& x, Tensor& y, Layout layout, F source) {
  const bool nhwc = layout == Layout::kNHWC;
  auto dims = [&](const Tensor& t) {
    return nhwc ? ImageCoord{t.dim(0), t.dim(3), t.dim(1), t.dim(2)}
                : ImageCoord{t.dim(0), t.dim(1), t.dim(2), t.dim(3)};
  };
  const ImageCoord xd = dims(x), yd = dims(y);
  auto offset = [nhwc](const ImageCoord& d, const ImageCoord& p) {
    return nhwc ? ((p.n * d.h + p.h) * d.w + p.w) * d.c + p.c : ((p.n * d.c + p.c) * d.h + p.h) * d.w + p.w;
  };
  for (int64_t n = 0; n < yd.n; ++n)
    for (int64_t c = 0; c < yd.c; ++c)
      for (int64_t h = 0; h < yd.h; ++h)
        for (int64_t w = 0; w < yd.w; ++w) {
          const ImageCoord o{n, c, h, w};
          copy_elem(x, offset(xd, source(xd.c, o)), y, offset(yd, o));
        }
}

}  // namespace

Status eval_depth_to_space(const Node& node, const Inputs& in, Outputs& out) {
  const auto& p = node.p<DepthToSpaceParams>();
  move_image(*in[0], out[0], p.layout,
             [&](int64_t channels, ImageCoord o) { return depth_to_space_source(p, channels, o); });
  return Status::ok();
}

Status eval_space_to_depth(const Node& node, const Inputs& in, Outputs& out) {
  const auto& p = node.p<SpaceToDepthParams>();
  move_image(*in[0], out[0], p.layout,
             [&](int64_t channels, ImageCoord o) { return space_to_depth_source(p, channels, o); });
  return Status::ok();
}

Status eval_instance_norm(const Node& node, const Inputs& in, Outputs& out) {
  const auto& p = node.p<InstanceNormParams>();
  const Tensor& x = *in[0];
  const InstanceNormDims d = instance_norm_dims(x.shape(), p.layout);
  for (int64_t n = 0; n < d.n; ++n)
    for (int64_t c = 0; c < d.c; ++c) {
      auto at = [&](int64_t k) {
        return d.channels_last ? (n * d.spatial + k) * d.c + c : (n * d.c + c) * d.spatial + k;
      };
      double mean = 0, var = 0;
      for (int64_t k = 0; k < d.spatial; ++k) mean += load(x, at(k));
      mean /= static_cast<double>(d.spatial);
      for (int64_t k = 0; k < d.spatial; ++k) var += (load(x, at(k)) - mean) * (load(x, at(k)) - mean);
      var /= static_cast<double>(d.spatial);
      const double scale = load(*in[1], c) / std::sqrt(var + p.epsilon), bias = load(*in[2], c);
      for (int64_t k = 0; k < d.spatial; ++k) store(out[0], at(k), (load(x, at(k)) - mean) * scale + bias);
    }
  return Status::ok();
}

Status eval_range(const Node&, const Inputs& in, Outputs& out) {
  const double start = load(*in[0], 0), delta = load(*in[2], 0);
  for (int64_t i = 0; i < out[0].numel(); ++i) store(out[0], i, start + static_cast<double>(i) * delta);
  return Status::ok();
}

}  // namespace reference_detail

}  // namespace toonbox::ops
