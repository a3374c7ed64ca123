// The op cases of the Dft op: IR graphs for what ONNX cannot say (the one-sided inverse,
// a folded scale), checked against the reference's direct sums, and ONNX DFT at opsets
// 17 (axis attribute) and 20 (axis input) against ONNX Runtime. Lengths cover the CPU
// FFT's two paths: powers of two (radix 2) and others (Bluestein), odd and even.
#include "unit/op_cases_onnx_util.h"
#include "unit/test_util.h"

using namespace toonbox::graph;

namespace toonbox::test {

namespace {

OpCase dft_ir_case(std::string name, Shape x, DftParams p) {
  Graph g;
  const int in = g.add_input("x", DType::kFloat32, Shape(x.size(), -1));
  g.add_output(g.add_node(OpKind::kDft, "dft", {in}, p));
  OpCase c;
  c.name = "Dft " + std::move(name);
  c.inputs.emplace_back("x", std::move(x));
  c.ir = [g = std::move(g)] { return g; };
  return c;
}

DftParams dft(int axis, bool inverse, bool onesided, int64_t length = 0, float scale = 1.f) {
  return DftParams{axis, inverse, onesided, length, scale};
}

}  // namespace

std::vector<OpCase> dft_op_cases() {
  std::vector<OpCase> out;
  out.push_back(dft_ir_case("rfft axis 2 n 16", {2, 3, 16, 1}, dft(2, false, true)));
  out.push_back(
      dft_ir_case("rfft axis 3 n 9 ortho", {1, 2, 5, 9, 1}, dft(3, false, true, 0, 1.f / 3.f)));
  out.push_back(dft_ir_case("complex axis 1 n 6", {2, 6, 5, 2}, dft(1, false, false)));
  out.push_back(dft_ir_case("inverse complex axis 2 n 7", {2, 3, 7, 2}, dft(2, true, false)));
  out.push_back(
      dft_ir_case("irfft axis 2 n 10 from 6 bins", {2, 4, 6, 3, 2}, dft(2, true, true, 10)));
  out.push_back(
      dft_ir_case("irfft axis -2 n 9 from 5 bins scale 3", {3, 5, 2}, dft(-2, true, true, 9, 3.f)));
  out.push_back(dft_ir_case("irfft n 8 from default length", {2, 5, 2}, dft(1, true, true)));
  out.push_back(dft_ir_case("zero-padded length 12 from 9", {2, 9, 1}, dft(1, false, false, 12)));
  out.push_back(dft_ir_case("cut length 5 from 8", {2, 8, 3, 2}, dft(1, false, false, 5)));

  std::vector<OnnxOpCase> c;
  c.push_back({"DFT-17 real onesided axis 2", 17, {{"x", {2, 3, 16, 1}}}, [](OnnxWriter& w) {
                 auto& n = w.node("DFT", {"x"}, {"out"});
                 attr(n, "axis", int64_t{2});
                 attr(n, "onesided", int64_t{1});
               }});
  c.push_back({"DFT-17 complex default axis 1 n 10", 17, {{"x", {2, 10, 3, 2}}}, [](OnnxWriter& w) {
                 w.node("DFT", {"x"}, {"out"});
               }});
  c.push_back({"DFT-17 inverse complex axis 2 n 12", 17, {{"x", {2, 3, 12, 2}}}, [](OnnxWriter& w) {
                 auto& n = w.node("DFT", {"x"}, {"out"});
                 attr(n, "axis", int64_t{2});
                 attr(n, "inverse", int64_t{1});
               }});
  c.push_back({"DFT-17 real dft_length 20 axis 1", 17, {{"x", {1, 16, 3, 1}}}, [](OnnxWriter& w) {
                 w.init_i64("len", {20}, true);
                 attr(w.node("DFT", {"x", "len"}, {"out"}), "axis", int64_t{1});
               }});
  c.push_back(
      {"DFT-20 real onesided default axis -2", 20, {{"x", {2, 3, 15, 1}}}, [](OnnxWriter& w) {
         attr(w.node("DFT", {"x"}, {"out"}), "onesided", int64_t{1});
       }});
  c.push_back({"DFT-20 complex axis input 1", 20, {{"x", {2, 8, 4, 2}}}, [](OnnxWriter& w) {
                 w.init_i64("axis", {1}, true);
                 w.node("DFT", {"x", "", "axis"}, {"out"});
               }});
  c.push_back({"DFT-20 inverse axis input -3", 20, {{"x", {2, 6, 4, 2}}}, [](OnnxWriter& w) {
                 w.init_i64("axis", {-3}, true);
                 attr(w.node("DFT", {"x", "", "axis"}, {"out"}), "inverse", int64_t{1});
               }});
  for (OpCase& k : to_op_cases(std::move(c))) out.push_back(std::move(k));
  return out;
}

}  // namespace toonbox::test
