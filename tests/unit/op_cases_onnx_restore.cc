// ONNX op cases of the ops face-restoration exports brought (GPEN, GFPGAN, CodeFormer):
// ArgMax/ArgMin and TopK k = 1 (CodeFormer's code lookup), ScatterElements with run-time
// indices (its one-hot codes), RandomNormalLike (GFPGAN's noise, imported as the mean),
// a 6-D Pad (upfirdn2d's zero insertion), and StyleGAN2's modulated convolutions, whose
// run-time weights the compile layer rewrites into static convolutions
// (compile/modulated_conv.h) — checked here against ONNX Runtime running the direct form.
#include "core/dtype.h"
#include "unit/op_cases_onnx_util.h"
#include "unit/test_util.h"

namespace toonbox::test {

namespace {

using I64 = std::vector<int64_t>;

// s = style @ M + 1 (per input channel), W5 = C * s, optionally demodulated by
// 1/sqrt(sum W5^2 + 1e-8) per output channel: GFPGAN's ModulatedConv2d at batch 1.
void modulated_weight(OnnxWriter& w, int64_t out_ch, int64_t in_ch, int64_t k, bool demodulate) {
  w.init("M", random_tensor({5, in_ch}, 61)).init_f("one", {1.f}, true);
  w.init("C", random_tensor({1, out_ch, in_ch, k, k}, 62));
  w.init_i64("s5", {1, 1, in_ch, 1, 1}).init_i64("d5", {1, out_ch, 1, 1, 1});
  w.node("MatMul", {"style", "M"}, {"sm"});
  w.node("Add", {"sm", "one"}, {"s"});
  w.node("Reshape", {"s", "s5"}, {"sr"});
  w.node("Mul", {"C", "sr"}, {demodulate ? "wm" : "w5"});
  if (!demodulate) return;
  w.init_f("two", {2.f}, true).init_f("eps", {1e-8f}, true).init_i64("sum_axes", {2, 3, 4});
  w.node("Pow", {"wm", "two"}, {"sq"});
  attr(w.node("ReduceSum", {"sq", "sum_axes"}, {"ss"}), "keepdims", int64_t{0});
  w.node("Add", {"ss", "eps"}, {"se"});
  w.node("Sqrt", {"se"}, {"rt"});
  w.node("Reciprocal", {"rt"}, {"d"});
  w.node("Reshape", {"d", "d5"}, {"dr"});
  w.node("Mul", {"wm", "dr"}, {"w5"});
}

}  // namespace

std::vector<OpCase> onnx_restore_op_cases() {
  std::vector<OnnxOpCase> c;
  const Shape x4 = {2, 3, 7, 9};
  c.push_back({"ArgMax axis 1", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 attr(w.node("ArgMax", {"x"}, {"out"}), "axis", int64_t{1});
               }, -1.f, 1.f, onnx::TensorProto::INT64, true});
  c.push_back({"ArgMin axis -1 keepdims 0 select_last_index", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Floor", {"x"}, {"f"});  // ties, so the last index matters
                 auto& n = w.node("ArgMin", {"f"}, {"out"});
                 attr(n, "axis", int64_t{-1});
                 attr(n, "keepdims", int64_t{0});
                 attr(n, "select_last_index", int64_t{1});
               }, -3.f, 3.f, onnx::TensorProto::INT64, true});
  c.push_back({"TopK k=1 values + indices", 11, {{"x", {4, 9, 10}}}, [](OnnxWriter& w) {
                 w.init_i64("k", {1});
                 attr(w.node("TopK", {"x", "k"}, {"v", "i"}), "axis", int64_t{2});
                 attr(w.node("Cast", {"i"}, {"if"}), "to", int64_t{onnx::TensorProto::FLOAT});
                 w.node("Add", {"v", "if"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, false, true});
  c.push_back({"TopK k=1 smallest", 11, {{"x", {4, 9, 10}}}, [](OnnxWriter& w) {
                 w.init_i64("k", {1});
                 auto& n = w.node("TopK", {"x", "k"}, {"v", "out"});
                 attr(n, "axis", int64_t{1});
                 attr(n, "largest", int64_t{0});
               }, -1.f, 1.f, onnx::TensorProto::INT64, true});
  c.push_back({"ScatterElements axis 1, run-time indices", 13, {{"x", {2, 5, 4}}, {"y", {2, 3, 4}}},
               [](OnnxWriter& w) {
                 // The updates half-representable too: the case is exact, and an fp16 run
                 // stores them in half (measured on the H200: max abs 2.1e-4 otherwise).
                 Tensor u = random_tensor({2, 1, 4}, 63);
                 for (int64_t j = 0; j < u.numel(); ++j) u.data<float>()[j] = round_to_half(u.data<float>()[j]);
                 w.init("u", u);
                 attr(w.node("ArgMax", {"y"}, {"i"}), "axis", int64_t{1});
                 attr(w.node("ScatterElements", {"x", "i", "u"}, {"out"}), "axis", int64_t{1});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, true});
  // CodeFormer's get_codebook_feat: int64 zeros, scatter 1 at the best code, Cast, MatMul.
  c.push_back({"ScatterElements one-hot codebook lookup", 13, {{"x", {6, 10}}}, [](OnnxWriter& w) {
                 w.init_i64("zeros", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
                 w.init_i64("shape", {6, 10}).init_i64("ones", {1, 1, 1, 1, 1, 1});
                 w.init_i64("col", {6, 1});
                 w.init("E", random_tensor({10, 3}, 64));
                 w.node("Reshape", {"zeros", "shape"}, {"z"});
                 w.node("Reshape", {"ones", "col"}, {"o"});
                 attr(w.node("ArgMax", {"x"}, {"i"}), "axis", int64_t{1});
                 attr(w.node("ScatterElements", {"z", "i", "o"}, {"h"}), "axis", int64_t{1});
                 attr(w.node("Cast", {"h"}, {"hf"}), "to", int64_t{onnx::TensorProto::FLOAT});
                 w.node("MatMul", {"hf", "E"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, false, true});
  // scale 1e-20: ONNX Runtime's draws round to the mean (it asserts on a scale of 0),
  // which toonbox always uses.
  c.push_back({"RandomNormalLike mean 0.5 scale 1e-20", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 auto& n = w.node("RandomNormalLike", {"x"}, {"r"});
                 attr(n, "mean", 0.5f);
                 attr(n, "scale", 1e-20f);
                 w.node("Add", {"x", "r"}, {"out"});
               }});
  // upfirdn2d_native's zero insertion: Pad of a [N*C, H, 1, W, 1, 1] view.
  c.push_back({"Pad 6-D zero insertion (upfirdn2d up=2)", 13, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 w.init_i64("v", {1, 5, 1, 7, 1, 3}).init_i64("up", {1, 10, 14, 3});
                 w.init_i64("pads", {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0});
                 attr(w.node("Transpose", {"x"}, {"t"}), "perm", I64{0, 2, 3, 1});
                 w.node("Reshape", {"t", "v"}, {"r"});
                 w.node("Pad", {"r", "pads"}, {"p"});
                 w.node("Reshape", {"p", "up"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, true});
  c.push_back({"Conv modulated + demodulated (StyleGAN2), rewritten", 13,
               {{"x", {1, 4, 6, 7}}, {"style", {1, 5}}}, [](OnnxWriter& w) {
                 modulated_weight(w, 3, 4, 3, true);
                 w.init_i64("w4", {3, 4, 3, 3});
                 w.node("Reshape", {"w5", "w4"}, {"w"});
                 attr(w.node("Conv", {"x", "w"}, {"out"}), "pads", I64{1, 1, 1, 1});
               }});
  c.push_back({"Conv modulated 1x1 (ToRGB), rewritten", 13, {{"x", {1, 4, 6, 7}}, {"style", {1, 5}}},
               [](OnnxWriter& w) {
                 modulated_weight(w, 3, 4, 1, false);
                 w.init_i64("w4", {3, 4, 1, 1});
                 w.node("Reshape", {"w5", "w4"}, {"w"});
                 w.node("Conv", {"x", "w"}, {"out"});
               }});
  // GPEN's upsampling form: the kernel transposed to [I, O, k, k] for a stride-2
  // ConvTranspose.
  c.push_back({"ConvTranspose modulated stride 2 (GPEN), rewritten", 13,
               {{"x", {1, 4, 5, 6}}, {"style", {1, 5}}}, [](OnnxWriter& w) {
                 modulated_weight(w, 3, 4, 3, true);
                 w.init_i64("w4", {4, 3, 3, 3});
                 attr(w.node("Transpose", {"w5"}, {"wt"}), "perm", I64{0, 2, 1, 3, 4});
                 w.node("Reshape", {"wt", "w4"}, {"w"});
                 attr(w.node("ConvTranspose", {"x", "w"}, {"out"}), "strides", I64{2, 2});
               }});
  return to_op_cases(std::move(c));
}

}  // namespace toonbox::test
