// Input, Split, Crop, Padding, Interp and Pooling (src/layer/<type>.cpp in ncnn): layers
// that move, select or resample data and have no weights.
#include <algorithm>
#include <cmath>
#include <limits>

#include "import/ncnn/ncnn_layer_params.h"
#include "import/ncnn/ncnn_layers.h"

namespace toonbox::ncnn {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::CastParams;
using graph::Layout;
using graph::NearestRounding;
using graph::NoParams;
using graph::OpKind;
using graph::PadKind;
using graph::PadParams;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::ResizeCoord;
using graph::ResizeMode;
using graph::ResizeParams;
using graph::SliceParams;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

Status require_3d(Builder& b, const Layer& l) {
  const int rank = b.input(l, 0).rank;
  if (rank != 3)
    return b.unsupported(l,
                         "expected a 3-D (CHW) input, got a " + std::to_string(rank) + "-D blob");
  return Status::ok();
}

// Input: the shape params (0=w, 1=h, 11=d, 2=c) are hints that ncnn ignores at run time
// (Extractor::input sets the blob), so only the channel count is kept; H and W stay
// dynamic. N is 1, bindable to a batch.
Status input_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 0, 1));
  LayerParams p(l);
  const int d = p.i(11, 0), c = p.i(2, 0);
  p.range(c, 0, kMaxChannels, 2, "c");
  TB_RETURN_IF_ERROR(p.status());
  if (d > 0) return b.unsupported(l, "3-D volume inputs (11=d) are not supported");
  const int64_t channels = c > 0 ? c : -1;
  const std::string& name = b.net().blobs[l.tops[0]].name;
  const int v = b.graph().add_input(name, DType::kFloat32, {1, channels, -1, -1});
  b.bind(l, 0, {v, 3, channels});
  return Status::ok();
}

// Split: every output is the input (ncnn copies references).
Status split_build(Builder& b, const Layer& l, Weights&) {
  if (l.bottoms.size() != 1 || l.tops.empty())
    return b.error(l, "got " + std::to_string(l.bottoms.size()) + " inputs and " +
                          std::to_string(l.tops.size()) + " outputs, expected 1 and at least 1");
  for (size_t i = 0; i < l.tops.size(); ++i) b.bind(l, i, b.input(l, 0));
  return Status::ok();
}

// Crop, the numpy-style form (9=starts, 10=ends, 11=axes) that converters from PyTorch
// and ONNX write, as resolve_crop_roi reads it: axes count ncnn dims (0 = C of a CHW
// blob, negative from the end), start or end -233 means the whole axis, and an end <= 0
// counts from the end (so 0 is the end, unlike numpy).
Status crop_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  LayerParams p(l);
  const std::vector<int> starts = p.ints(9), ends = p.ints(10), axes = p.ints(11);
  const bool exprs = !p.str(19).empty() || !p.str(20).empty() || !p.str(21).empty();
  int offsets = 0;
  for (int id : {0, 1, 13, 2, 3, 4, 14, 5, 6, 7, 15, 8}) offsets |= p.i(id, 0);
  TB_RETURN_IF_ERROR(p.status());
  if (exprs) return b.unsupported(l, "expression crops (19/20/21) are not supported");
  if (starts.empty() || ends.empty())
    return b.unsupported(l, offsets ? "the offset form of Crop (0..8, 13..15) is not supported; "
                                      "only starts/ends/axes (9/10/11)"
                                    : "cropping to a second input's size is not supported");
  const BlobValue in = b.input(l, 0);
  if (in.rank != 3 && in.rank != 1)
    return b.unsupported(l, "cropping a " + std::to_string(in.rank) + "-D blob is not supported");
  const size_t n = axes.empty() ? static_cast<size_t>(in.rank) : axes.size();
  if (starts.size() != n || ends.size() != n)
    return b.error(l, "got " + std::to_string(starts.size()) + " starts and " +
                          std::to_string(ends.size()) + " ends, expected " + std::to_string(n) +
                          (axes.empty() ? " (one per dim: no axes given)" : " (one per axis)"));
  std::vector<int64_t> s, e, ax;
  int64_t channels = in.channels;
  for (size_t i = 0; i < n; ++i) {
    int axis = axes.empty() ? static_cast<int>(i) : axes[i];
    if (axis < 0) axis += in.rank;
    if (axis < 0 || axis >= in.rank)
      return b.error(l, "got axis " + std::to_string(axes.empty() ? i : axes[i]) + ", expected -" +
                            std::to_string(in.rank) + " to " + std::to_string(in.rank - 1));
    const int64_t start = starts[i] == -233 ? 0 : starts[i];
    const int64_t end =
        (ends[i] == -233 || ends[i] == 0) ? std::numeric_limits<int64_t>::max() : ends[i];
    s.push_back(start);
    e.push_back(end);
    ax.push_back(axis + 1);  // after N; a 1-D blob's only axis is IR dim 1 too
    if (axis == 0 && channels >= 0) {
      const int64_t b0 = start >= 0 ? start : channels + start;
      const int64_t e0 = std::min(channels, end > 0 ? end : channels + end);
      channels = std::max<int64_t>(0, e0 - std::clamp<int64_t>(b0, 0, channels));
    }
  }
  const int y = b.add(OpKind::kSlice, l, "",
                      {in.value, b.constant_i64(l, s), b.constant_i64(l, e), b.constant_i64(l, ax)},
                      SliceParams{});
  b.bind(l, 0, {y, in.rank, channels});
  return Status::ok();
}

// Padding: 0..3 top/bottom/left/right, 4 type (0 constant, 1 replicate, 2 reflect),
// 5 value, 7/8 channels before/after (constant type only here), 6 per-channel values.
Result<std::vector<WeightRead>> padding_reads(const Layer& l) {
  LayerParams p(l);
  const int per_channel = p.i(6, 0);
  TB_RETURN_IF_ERROR(p.status());
  if (per_channel != 0)
    return unimplemented(l.where() +
                         ": per-channel pad values (6=per_channel_pad_data_size) "
                         "are not supported");
  return std::vector<WeightRead>{};
}

Status padding_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_RETURN_IF_ERROR(require_3d(b, l));
  LayerParams p(l);
  const int top = p.i(0, 0), bottom = p.i(1, 0), left = p.i(2, 0), right = p.i(3, 0);
  const int type = p.i(4, 0), front = p.i(7, 0), behind = p.i(8, 0);
  const float value = p.f(5, 0.f);
  const char* names[] = {"top", "bottom", "left", "right", "", "", "", "front", "behind"};
  for (int id : {0, 1, 2, 3, 7, 8}) p.range(p.i(id, 0), 0, kMaxKernel, id, names[id]);
  p.range(type, 0, 2, 4, "type: 0 constant, 1 replicate, 2 reflect");
  TB_RETURN_IF_ERROR(p.status());
  if (type != 0 && (front || behind))
    return b.unsupported(l,
                         "padding channels (7=front, 8=behind) is supported for constant "
                         "padding only");
  const PadKind kinds[] = {PadKind::kConstant, PadKind::kEdge, PadKind::kReflect};
  const BlobValue in = b.input(l, 0);
  const int pads = b.constant_i64(l, {0, front, top, left, 0, behind, bottom, right});
  const int y = b.add(OpKind::kPad, l, "", {in.value, pads}, PadParams{kinds[type], value});
  b.bind(l, 0, {y, 3, in.channels >= 0 ? in.channels + front + behind : -1});
  return Status::ok();
}

// Interp: 0 resize_type (1 nearest, 2 bilinear, 3 bicubic), 1/2 height/width scale,
// 3/4 output height/width, 6 align_corner. ncnn's sizes and coordinates (interp.cpp):
// out = (int)(in * scale) unless both output sizes are given; nearest reads
// (int)(x * (1 / scale)) (in/out with fixed sizes); bilinear and bicubic use half-pixel
// centres at in/out (or align corners), clamp to the edge, bicubic with A = -0.75.
Status interp_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_RETURN_IF_ERROR(require_3d(b, l));
  LayerParams p(l);
  const int type = p.i(0, 0);
  const float hs = p.f(1, 1.f), ws = p.f(2, 1.f);
  const int out_h = p.i(3, 0), out_w = p.i(4, 0), dynamic = p.i(5, 0), align = p.i(6, 0);
  const bool expr = !p.str(9).empty();
  p.range(type, 1, 3, 0, "resize_type: 1 nearest, 2 bilinear, 3 bicubic");
  p.range(out_h, 0, 1 << 20, 3, "output_height");
  p.range(out_w, 0, 1 << 20, 4, "output_width");
  p.range(align, 0, 1, 6, "align_corner");
  TB_RETURN_IF_ERROR(p.status());
  if (dynamic || expr)
    return b.unsupported(l,
                         "a target size from another input (5) or an expression (9) is not "
                         "supported");
  const bool fixed = out_h > 0 && out_w > 0;
  for (float s : {hs, ws})
    if (!fixed && !(std::isfinite(s) && s > 0.f && s <= 1024.f))
      return b.error(l, "got scale " + std::to_string(s) + ", expected 0 to 1024");
  const BlobValue in = b.input(l, 0);
  ResizeParams rp;
  rp.layout = Layout::kNCHW;
  rp.mode = type == 1   ? ResizeMode::kNearest
            : type == 2 ? ResizeMode::kBilinear
                        : ResizeMode::kCubic;
  rp.coord = type == 1 ? ResizeCoord::kAsymmetric
                       : (align ? ResizeCoord::kAlignCorners : ResizeCoord::kHalfPixel);
  rp.nearest = NearestRounding::kFloor;
  rp.cubic_a = -0.75f;
  if (type == 1 && !fixed) {  // ncnn steps by 1 / scale here, by in / out otherwise
    rp.scale_h = hs;
    rp.scale_w = ws;
  }
  int size;
  if (fixed) {
    size = b.constant_i64(l, {out_h, out_w});
  } else {
    const int shape = b.add(OpKind::kShape, l, "/shape", {in.value}, NoParams{});
    const int fshape = b.add(OpKind::kCast, l, "/shape_f", {shape}, CastParams{DType::kFloat32});
    const int scales =
        b.constant(l, "/scales", Tensor::from_vector<float>({4}, {1.f, 1.f, hs, ws}));
    const int scaled =
        b.add(OpKind::kBinary, l, "/scaled", {fshape, scales}, BinaryParams{BinaryOp::kMul});
    const int floored = b.add(OpKind::kUnary, l, "/floor", {scaled}, UnaryParams{UnaryOp::kFloor});
    const int isize = b.add(OpKind::kCast, l, "/size_i", {floored}, CastParams{DType::kInt64});
    size = b.add(OpKind::kSlice, l, "/hw", {isize, b.constant_i64(l, {2}), b.constant_i64(l, {4})},
                 SliceParams{});
  }
  b.bind(l, 0, {b.add(OpKind::kResize, l, "", {in.value, size}, rp), 3, in.channels});
  return Status::ok();
}

// Pooling: global pooling only (4=global_pooling), max (0=0) or average (0=1), which
// ncnn outputs as a 1-D blob of C values.
Status pooling_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_RETURN_IF_ERROR(require_3d(b, l));
  LayerParams p(l);
  const int type = p.i(0, 0), global = p.i(4, 0), adaptive = p.i(7, 0);
  p.range(type, 0, 1, 0, "pooling_type: 0 max, 1 average");
  TB_RETURN_IF_ERROR(p.status());
  if (!global || adaptive) return b.unsupported(l, "only global pooling (4=1) is supported");
  const BlobValue in = b.input(l, 0);
  const int y = b.add(OpKind::kReduce, l, "", {in.value},
                      ReduceParams{type == 0 ? ReduceOp::kMax : ReduceOp::kMean, {2, 3}, true});
  b.bind(l, 0, {y, 1, in.channels});
  return Status::ok();
}

}  // namespace

void add_tensor_layers(LayerTable& t) {
  t["Input"] = {nullptr, input_build};
  t["Split"] = {nullptr, split_build};
  t["Crop"] = {nullptr, crop_build};
  t["Padding"] = {padding_reads, padding_build};
  t["Interp"] = {nullptr, interp_build};
  t["Pooling"] = {nullptr, pooling_build};
}

}  // namespace toonbox::ncnn
