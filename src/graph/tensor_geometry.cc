#include "graph/tensor_geometry.h"

#include <algorithm>
#include <cmath>

namespace toonbox::graph {

Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    const int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank)
      return invalid_argument("axis " + std::to_string(a) + " out of range for rank " +
                              std::to_string(rank));
    if (std::find(out.begin(), out.end(), n) != out.end())
      return invalid_argument("axis " + std::to_string(a) + " repeated");
    out.push_back(n);
  }
  return out;
}

Result<SliceGeometry> resolve_slice(const Shape& x, const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends,
                                    const std::vector<int64_t>& axes_in,
                                    const std::vector<int64_t>& steps_in) {
  const int64_t rank = static_cast<int64_t>(x.size());
  if (starts.size() != ends.size()) return invalid_argument("starts and ends differ in length");
  std::vector<int64_t> axes_raw = axes_in;
  if (axes_raw.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes_raw.push_back(static_cast<int64_t>(i));
  if (axes_raw.size() != starts.size()) return invalid_argument("axes and starts differ in length");
  std::vector<int64_t> steps = steps_in;
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (steps.size() != starts.size()) return invalid_argument("steps and starts differ in length");
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> axes, normalize_axes(axes_raw, rank));
  SliceGeometry g;
  g.start.assign(rank, 0);
  g.step.assign(rank, 1);
  g.out = x;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t d = axes[i], dim = x[d], st = steps[i];
    if (st == 0) return invalid_argument("slice step 0");
    // Clamp before adding dim so INT64_MIN/MAX sentinels cannot overflow.
    int64_t s = std::clamp<int64_t>(starts[i], -dim - 1, dim + 1);
    int64_t e = std::clamp<int64_t>(ends[i], -dim - 1, dim + 1);
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    int64_t count;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      count = s > e ? (s - e + (-st) - 1) / (-st) : 0;
    }
    g.start[d] = s;
    g.step[d] = st;
    g.out[d] = count;
  }
  return g;
}

Result<std::vector<int64_t>> resolve_perm(const std::vector<int64_t>& perm, int64_t rank) {
  if (perm.empty()) {
    std::vector<int64_t> rev(rank);
    for (int64_t i = 0; i < rank; ++i) rev[i] = rank - 1 - i;
    return rev;
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    return invalid_argument("perm has " + std::to_string(perm.size()) + " entries for rank " +
                            std::to_string(rank));
  return normalize_axes(perm, rank);
}

Result<Shape> reshape_target(const Shape& x, const ReshapeParams& p,
                             const std::vector<int64_t>& shape_tensor) {
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t numel = shape_numel(x);
  switch (p.mode) {
    case ReshapeMode::kShapeTensor: {
      Shape out;
      int infer = -1;
      int64_t known = 1;
      for (size_t i = 0; i < shape_tensor.size(); ++i) {
        int64_t d = shape_tensor[i];
        if (d == 0 && !p.allowzero) {
          if (static_cast<int64_t>(i) >= rank)
            return invalid_argument("shape entry 0 at " + std::to_string(i) + " beyond input rank");
          d = x[i];
        }
        if (d == -1) {
          if (infer >= 0) return invalid_argument("more than one -1 in the target shape");
          infer = static_cast<int>(i);
          out.push_back(1);
          continue;
        }
        if (d < 0)
          return invalid_argument("negative dim " + std::to_string(d) + " in target shape");
        out.push_back(d);
        known *= d;
        if (known > numel && numel > 0) break;
      }
      if (infer >= 0) {
        if (known == 0 || numel % known != 0)
          return invalid_argument("cannot infer -1: " + std::to_string(numel) + " elements, " +
                                  std::to_string(known) + " fixed");
        out[infer] = numel / known;
      }
      if (shape_numel(out) != numel)
        return invalid_argument("cannot reshape " + shape_to_string(x) + " to " +
                                shape_to_string(shape_tensor));
      return out;
    }
    case ReshapeMode::kSqueeze: {
      std::vector<int64_t> axes;
      if (p.axes.empty()) {
        for (int64_t d = 0; d < rank; ++d)
          if (x[d] == 1) axes.push_back(d);
      } else {
        TB_ASSIGN_OR_RETURN(axes, normalize_axes(p.axes, rank));
      }
      Shape out;
      for (int64_t d = 0; d < rank; ++d) {
        const bool drop = std::find(axes.begin(), axes.end(), d) != axes.end();
        if (drop && x[d] != 1)
          return invalid_argument("cannot squeeze dim " + std::to_string(d) + " of size " +
                                  std::to_string(x[d]));
        if (!drop) out.push_back(x[d]);
      }
      return out;
    }
    case ReshapeMode::kUnsqueeze: {
      const int64_t out_rank = rank + static_cast<int64_t>(p.axes.size());
      TB_ASSIGN_OR_RETURN(std::vector<int64_t> axes, normalize_axes(p.axes, out_rank));
      Shape out;
      size_t src = 0;
      for (int64_t d = 0; d < out_rank; ++d) {
        if (std::find(axes.begin(), axes.end(), d) != axes.end())
          out.push_back(1);
        else
          out.push_back(x[src++]);
      }
      return out;
    }
    case ReshapeMode::kFlatten: {
      int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
      if (axis < 0 || axis > rank) return invalid_argument("flatten axis out of range");
      int64_t a = 1, b = 1;
      for (int64_t d = 0; d < rank; ++d) (d < axis ? a : b) *= x[d];
      return Shape{a, b};
    }
  }
  return invalid_argument("unknown reshape mode");
}

Result<Shape> matmul_shape(const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty()) return invalid_argument("MatMul operands must be at least 1-D");
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return invalid_argument("MatMul inner dims differ: " + shape_to_string(a_in) + " x " +
                            shape_to_string(b_in));
  Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  const size_t rank = std::max(ba.size(), bb.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - ba.size() ? 1 : ba[i - (rank - ba.size())];
    const int64_t db = i < rank - bb.size() ? 1 : bb[i - (rank - bb.size())];
    if (da != db && da != 1 && db != 1)
      return invalid_argument("MatMul batch dims cannot broadcast: " + shape_to_string(a_in) +
                              " x " + shape_to_string(b_in));
    out[i] = da == 1 ? db : da;
  }
  if (a_in.size() > 1) out.push_back(a[a.size() - 2]);
  if (b_in.size() > 1) out.push_back(b.back());
  return out;
}

Result<PoolDim> pool_output_dim(int64_t in, int kernel, int stride, int dilation, PadMode mode,
                                int pad_before, int pad_after, bool ceil_mode) {
  if (kernel < 1 || stride < 1 || dilation < 1)
    return invalid_argument("pool kernel, stride and dilation must be >= 1");
  PoolDim r;
  const int64_t effective = static_cast<int64_t>(kernel - 1) * dilation + 1;
  if (mode == PadMode::kSameUpper || mode == PadMode::kSameLower) {
    // ONNX Runtime sizes SAME pooling pads with the undilated kernel, then computes the
    // output with the dilated one (so dilated SAME pools shrink); we match it.
    const int64_t target = (in + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((target - 1) * stride + kernel - in, 0);
    const int64_t small = total / 2, large = total - small;
    r.pad_before = static_cast<int>(mode == PadMode::kSameUpper ? small : large);
    r.pad_after = static_cast<int>(mode == PadMode::kSameUpper ? large : small);
  } else if (mode == PadMode::kExplicit) {
    if (pad_before < 0 || pad_after < 0) return invalid_argument("negative padding");
    r.pad_before = pad_before;
    r.pad_after = pad_after;
  }
  const int64_t numerator = in + r.pad_before + r.pad_after - effective;
  if (numerator < 0)
    return invalid_argument("input size " + std::to_string(in) + " is smaller than the window (" +
                            std::to_string(effective) + ")");
  if (ceil_mode) {
    r.out = (numerator + stride - 1) / stride + 1;
    // The last window must start inside the input or its begin padding.
    if ((r.out - 1) * stride >= in + r.pad_before) --r.out;
  } else {
    r.out = numerator / stride + 1;
  }
  return r;
}

Result<std::vector<std::vector<int64_t>>> pad_source_indices(const Shape& x,
                                                             const std::vector<int64_t>& pads,
                                                             PadKind mode) {
  const size_t rank = x.size();
  if (pads.size() != 2 * rank)
    return invalid_argument("pads has " + std::to_string(pads.size()) + " entries, expected " +
                            std::to_string(2 * rank));
  std::vector<std::vector<int64_t>> maps(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t before = pads[d], after = pads[d + rank], dim = x[d];
    if (before < 0 || after < 0) return unimplemented("negative pads (cropping)");
    if (before > (int64_t{1} << 24) || after > (int64_t{1} << 24))
      return invalid_argument("pads too large");
    if (mode == PadKind::kReflect && (before >= dim || after >= dim) && (before || after))
      return invalid_argument("reflect pads " + std::to_string(before) + "/" +
                              std::to_string(after) + " need a dim larger than that, got " +
                              std::to_string(dim));
    if (mode == PadKind::kEdge && dim == 0 && (before || after))
      return invalid_argument("edge padding of an empty dim");
    const int64_t out = dim + before + after;
    maps[d].resize(out);
    for (int64_t i = 0; i < out; ++i) {
      int64_t s = i - before;
      if (s < 0 || s >= dim) {
        switch (mode) {
          case PadKind::kConstant:
            s = -1;
            break;
          case PadKind::kEdge:
            s = std::clamp<int64_t>(s, 0, dim - 1);
            break;
          case PadKind::kReflect:
            s = s < 0 ? -s : 2 * (dim - 1) - s;
            break;
        }
      }
      maps[d][i] = s;
    }
  }
  return maps;
}

int64_t padded_window_count(const PoolParams& p, int64_t h0, int64_t w0, int64_t H, int64_t W) {
  const int64_t he = std::min(h0 + (p.kernel_h - 1) * p.dilation_h + 1, H + p.pad_bottom);
  const int64_t we = std::min(w0 + (p.kernel_w - 1) * p.dilation_w + 1, W + p.pad_right);
  return ((he - h0 + p.dilation_h - 1) / p.dilation_h) *
         ((we - w0 + p.dilation_w - 1) / p.dilation_w);
}

ImageCoord depth_to_space_source(const DepthToSpaceParams& p, int64_t channels, ImageCoord o) {
  const int64_t b = p.block, out_c = channels / (b * b), i = o.h % b, j = o.w % b;
  const int64_t c = p.mode == DepthToSpaceMode::kDcr ? (i * b + j) * out_c + o.c : (o.c * b + i) * b + j;
  return {o.n, c, o.h / b, o.w / b};
}

ImageCoord space_to_depth_source(const SpaceToDepthParams& p, int64_t channels, ImageCoord o) {
  const int64_t b = p.block, i = o.c / (b * channels), j = (o.c / channels) % b;
  return {o.n, o.c % channels, o.h * b + i, o.w * b + j};
}

InstanceNormDims instance_norm_dims(const Shape& x, Layout layout) {
  InstanceNormDims d;
  d.channels_last = layout == Layout::kNHWC;
  d.n = x[0];
  d.c = d.channels_last ? x.back() : x[1];
  d.spatial = d.n * d.c > 0 ? shape_numel(x) / (d.n * d.c) : 0;
  return d;
}

Result<DftDims> dft_dims(const Shape& x, const DftParams& p) {
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank < 2 || (x.back() != 1 && x.back() != 2))
    return invalid_argument("input " + shape_to_string(x) +
                            " must end in a dim of 1 (real) or 2 (complex)");
  const int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank - 1)
    return invalid_argument("axis " + std::to_string(p.axis) + " out of range for " +
                            shape_to_string(x) + " (the last dim holds the components)");
  DftDims d;
  d.axis = static_cast<int>(axis);
  for (int64_t i = 0; i < axis; ++i) d.outer *= x[i];
  for (int64_t i = axis + 1; i < rank - 1; ++i) d.inner *= x[i];
  d.in_len = x[axis];
  d.in_components = static_cast<int>(x.back());
  if (p.length < 0) return invalid_argument("negative DFT length " + std::to_string(p.length));
  if (p.inverse && p.onesided) {
    if (d.in_components != 2) return invalid_argument("a one-sided inverse needs complex input");
    d.n = p.length > 0 ? p.length : 2 * (d.in_len - 1);
    d.out_len = d.n;
    d.out_components = 1;
  } else {
    d.n = p.length > 0 ? p.length : d.in_len;
    d.out_len = p.onesided ? d.n / 2 + 1 : d.n;
  }
  if (d.n < 1) return invalid_argument("DFT length " + std::to_string(d.n) + " < 1");
  return d;
}

std::vector<int64_t> row_major_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

std::vector<int64_t> broadcast_strides(const Shape& shape, size_t rank, int64_t unit) {
  const size_t offset = rank - shape.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t s = unit;
  for (size_t i = rank; i-- > offset;) {
    const int64_t d = shape[i - offset];
    strides[i] = d == 1 ? 0 : s;
    s *= d;
  }
  return strides;
}

double resize_source_coordinate(ResizeCoord coord, int64_t i, int64_t in, int64_t out,
                                float scale, float roi0, float roi1) {
  const float fi = static_cast<float>(i);
  if (scale > 0.f ? scale == 1.f : in == out) return fi;
  if (coord == ResizeCoord::kTfCropAndResize) {
    const float fin = static_cast<float>(in), fout = static_cast<float>(out);
    if (out > 1) return roi0 * (fin - 1) + (fi * (roi1 - roi0) * (fin - 1)) / (fout - 1);
    return static_cast<float>(0.5 * (roi0 + roi1) * (fin - 1));
  }
  if (scale > 0.f) {  // ONNX scales: divide by the given scale, in float as ORT does
    switch (coord) {
      case ResizeCoord::kAsymmetric: return fi / scale;
      case ResizeCoord::kHalfPixel: return (fi + 0.5f) / scale - 0.5f;
      case ResizeCoord::kPytorchHalfPixel: return out > 1 ? (fi + 0.5f) / scale - 0.5f : 0.f;
      case ResizeCoord::kTfHalfPixelForNn: return (fi + 0.5f) / scale;
      case ResizeCoord::kAlignCorners:  // independent of the scale
      case ResizeCoord::kTfCropAndResize: break;
    }
  }
  switch (coord) {
    case ResizeCoord::kAsymmetric:
      return fi * (static_cast<float>(in) / static_cast<float>(out));
    case ResizeCoord::kHalfPixel:
      return (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out)) - 0.5f;
    case ResizeCoord::kAlignCorners:
      return out > 1 ? fi * (static_cast<float>(in - 1) / static_cast<float>(out - 1)) : 0.f;
    case ResizeCoord::kPytorchHalfPixel:
      return out > 1 ? (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out)) - 0.5f
                     : 0.f;
    case ResizeCoord::kTfHalfPixelForNn:
      return (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out));
    case ResizeCoord::kTfCropAndResize: break;
  }
  return 0;
}

int64_t resize_nearest_index(NearestRounding rounding, double src, int64_t in) {
  double v = 0;
  switch (rounding) {
    case NearestRounding::kFloor: v = std::floor(src); break;
    case NearestRounding::kCeil: v = std::ceil(src); break;
    case NearestRounding::kRoundPreferFloor:
      v = (src - std::floor(src) == 0.5) ? std::floor(src) : std::round(src);
      break;
    case NearestRounding::kRoundPreferCeil: v = std::round(src); break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(v), 0, in - 1);
}

}  // namespace toonbox::graph
