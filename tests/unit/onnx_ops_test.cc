// Every ONNX operator the importer translates, on every backend, against ONNX Runtime
// (tests/oracles/ort_run.mjs with npm onnxruntime-node, or ort_run.py with Python's
// onnxruntime where Node is missing; CPU execution provider, optimizations off). Each case is a
// small ONNX model written here (onnx_test_util.h) with odd sizes and dynamic dims, run by ORT on
// random inputs once per process (one Node process for all cases), then imported,
// specialized and run by: the reference kernels, the CPU backend, CUDA fp32, CUDA fp16.
// Tolerances (normalized MSE against ORT's output):
//   Reference, Cpu, CudaFp32: <= 1e-10 (float32 vs float32/double, different order)
//   CudaFp16: <= 1e-4 (inputs, weights and activations rounded to half; ~2^-11 each)
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "backend/cpu/cpu_backend.h"
#include "graph/passes.h"
#include "import/onnx/onnx_importer.h"
#include "ops/reference.h"
#include "unit/onnx_test_util.h"
#include "unit/ort_oracle.h"
#include "unit/test_util.h"

namespace toonbox {
namespace {

namespace fs = std::filesystem;
using test::attr;
using test::OnnxWriter;
using I64 = std::vector<int64_t>;
using F32 = std::vector<float>;

struct OnnxOpCase {
  std::string label;
  int opset;
  std::vector<std::pair<std::string, Shape>> inputs;  // declared with dynamic dims
  std::function<void(OnnxWriter&)> build;             // nodes; final output "out"
  float lo = -1.f, hi = 1.f;
  int out_type = onnx::TensorProto::FLOAT;  // "out"'s declared type (bool/int: compared as float)
  // Comparisons, logic, Cast, Where: every backend must match ORT exactly. Their inputs
  // are drawn half-representable, so the fp16 run (which rounds its inputs to half) sees
  // the very inputs ORT saw: a comparison or truncation right at a rounding boundary
  // would otherwise flip.
  bool exact = false;
  bool half_inputs = false;  // the same input drawing without the exactness requirement
};

std::vector<OnnxOpCase> make_cases() {
  std::vector<OnnxOpCase> c;
  const Shape x4 = {2, 3, 7, 9};
  auto one = [&](const std::string& label, const std::string& op, int opset,
                 std::function<void(onnx::NodeProto&)> attrs = {}, float lo = -1.f, float hi = 1.f,
                 Shape shape = {2, 3, 7, 9}) {
    c.push_back({label,
                 opset,
                 {{"x", shape}},
                 [op, attrs](OnnxWriter& w) {
                   auto& n = w.node(op, {"x"}, {"out"});
                   if (attrs) attrs(n);
                 },
                 lo,
                 hi});
  };
  // Element-wise unary.
  for (const char* op :
       {"Relu", "Sigmoid", "Tanh", "Exp", "Neg", "Abs", "Erf", "Identity", "HardSwish"})
    one(op, op, 14, {}, -3.f, 3.f);
  one("Sqrt", "Sqrt", 13, {}, 0.1f, 4.f);
  one("Log", "Log", 13, {}, 0.1f, 4.f);
  one("Reciprocal", "Reciprocal", 13, {}, 0.5f, 2.f);
  one("LeakyRelu alpha=0.1", "LeakyRelu", 13, [](auto& n) { attr(n, "alpha", 0.1f); });
  one(
      "Elu alpha=0.7", "Elu", 13, [](auto& n) { attr(n, "alpha", 0.7f); }, -3.f, 3.f);
  one(
      "HardSigmoid", "HardSigmoid", 13,
      [](auto& n) {
        attr(n, "alpha", 0.3f);
        attr(n, "beta", 0.4f);
      },
      -4.f, 4.f);
  one("Clip opset 9 attrs", "Clip", 9, [](auto& n) {
    attr(n, "min", -0.3f);
    attr(n, "max", 0.5f);
  });
  c.push_back({"Clip opset 13 inputs", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_f("lo", {-0.2f}, true).init_f("hi", {0.6f}, true);
                 w.node("Clip", {"x", "lo", "hi"}, {"out"});
               }});
  c.push_back({"Gelu opset 20",
               20,
               {{"x", x4}},
               [](OnnxWriter& w) { w.node("Gelu", {"x"}, {"out"}); },
               -3.f,
               3.f});
  c.push_back({"Gelu tanh",
               20,
               {{"x", x4}},
               [](OnnxWriter& w) { attr(w.node("Gelu", {"x"}, {"out"}), "approximate", "tanh"); },
               -3.f,
               3.f});
  // Binary with broadcasting.
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    c.push_back({std::string(op) + " broadcast",
                 13,
                 {{"x", x4}, {"y", {3, 1, 9}}},
                 [op](OnnxWriter& w) {
                   w.node(op, {"x", "y"}, {"out"});
                 },
                 0.5f,
                 2.f});
  c.push_back({"Pow const exponent",
               13,
               {{"x", x4}},
               [](OnnxWriter& w) {
                 w.init_f("e", {2.f}, true);
                 w.node("Pow", {"x", "e"}, {"out"});
               },
               0.1f,
               2.f});
  c.push_back({"Pow tensor",
               13,
               {{"x", x4}, {"y", x4}},
               [](OnnxWriter& w) {
                 w.node("Pow", {"x", "y"}, {"out"});
               },
               0.5f,
               1.5f});
  c.push_back({"PRelu per channel", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init("slope", test::random_tensor({3, 1, 1}, 5, 0.f, 0.5f));
                 w.node("PRelu", {"x", "slope"}, {"out"});
               }});
  // Reductions and softmax.
  one("ReduceMean axes 2,3 keepdims", "ReduceMean", 13, [](auto& n) {
    attr(n, "axes", I64{2, 3});
  });
  one("ReduceMax axis -1 no keepdims", "ReduceMax", 13, [](auto& n) {
    attr(n, "axes", I64{-1});
    attr(n, "keepdims", int64_t{0});
  });
  c.push_back({"ReduceSum opset 13 axes input", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("axes", {1});
                 attr(w.node("ReduceSum", {"x", "axes"}, {"out"}), "keepdims", int64_t{0});
               }});
  c.push_back({"ReduceMean opset 18 axes input", 18, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("axes", {0, 2});
                 w.node("ReduceMean", {"x", "axes"}, {"out"});
               }});
  one(
      "Softmax opset 13 axis 1", "Softmax", 13, [](auto& n) { attr(n, "axis", int64_t{1}); }, -3.f,
      3.f);
  one(
      "Softmax opset 11 axis 1 (flattened)", "Softmax", 11,
      [](auto& n) { attr(n, "axis", int64_t{1}); }, -3.f, 3.f);
  one("GlobalAveragePool", "GlobalAveragePool", 13);
  one("GlobalMaxPool", "GlobalMaxPool", 13);
  // Matrix products.
  c.push_back({"MatMul const rhs", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init("b", test::random_tensor({9, 5}, 6));
                 w.node("MatMul", {"x", "b"}, {"out"});
               }});
  c.push_back(
      {"MatMul batched broadcast", 13, {{"x", {3, 5, 7}}, {"y", {1, 7, 4}}}, [](OnnxWriter& w) {
         w.node("MatMul", {"x", "y"}, {"out"});
       }});
  c.push_back({"MatMul broadcast on both sides", 13, {{"x", {2, 1, 5, 7}}, {"y", {3, 7, 4}}},
               [](OnnxWriter& w) { w.node("MatMul", {"x", "y"}, {"out"}); }});
  c.push_back({"MatMul 1-D lhs", 13, {{"x", {7}}, {"y", {2, 7, 5}}},
               [](OnnxWriter& w) { w.node("MatMul", {"x", "y"}, {"out"}); }});
  c.push_back({"MatMul 1-D rhs", 13, {{"x", {3, 5, 7}}, {"y", {7}}},
               [](OnnxWriter& w) { w.node("MatMul", {"x", "y"}, {"out"}); }});
  c.push_back({"Gemm transB + C", 13, {{"x", {5, 7}}}, [](OnnxWriter& w) {
                 w.init("b", test::random_tensor({4, 7}, 7)).init("c", test::random_tensor({4}, 8));
                 attr(w.node("Gemm", {"x", "b", "c"}, {"out"}), "transB", int64_t{1});
               }});
  c.push_back(
      {"Gemm transA alpha beta", 13, {{"x", {7, 5}}}, [](OnnxWriter& w) {
         w.init("b", test::random_tensor({7, 3}, 9)).init("c", test::random_tensor({5, 3}, 10));
         auto& n = w.node("Gemm", {"x", "b", "c"}, {"out"});
         attr(n, "transA", int64_t{1});
         attr(n, "alpha", 0.5f);
         attr(n, "beta", 2.f);
       }});
  // Data movement.
  c.push_back({"Concat axis 1", 13, {{"x", x4}, {"y", {2, 5, 7, 9}}}, [](OnnxWriter& w) {
                 w.node("Concat", {"x", "y", "x"}, {"out"});
                 attr(*w.model().mutable_graph()->mutable_node(0), "axis", int64_t{1});
               }});
  c.push_back({"Split opset 13 sizes", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("s", {2, 7});
                 attr(w.node("Split", {"x", "s"}, {"a", "b"}), "axis", int64_t{3});
                 w.node("Mul", {"b", "b"}, {"bb"});
                 w.node("Slice", {"bb", "st", "en", "ax"}, {"b2"});
                 w.init_i64("st", {0}).init_i64("en", {2}).init_i64("ax", {3});
                 w.node("Add", {"a", "b2"}, {"out"});
               }});
  c.push_back({"Split opset 11 equal", 11, {{"x", {2, 3, 7, 8}}}, [](OnnxWriter& w) {
                 attr(w.node("Split", {"x"}, {"a", "b"}), "axis", int64_t{3});
                 w.node("Sub", {"a", "b"}, {"out"});
               }});
  c.push_back({"Slice steps and negatives", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("st", {-1, 1})
                     .init_i64("en", {-100, 8})
                     .init_i64("ax", {3, 2})
                     .init_i64("sp", {-2, 2});
                 w.node("Slice", {"x", "st", "en", "ax", "sp"}, {"out"});
               }});
  c.push_back({"Slice opset 9 attrs", 9, {{"x", x4}}, [](OnnxWriter& w) {
                 auto& n = w.node("Slice", {"x"}, {"out"});
                 attr(n, "starts", I64{1, 2});
                 attr(n, "ends", I64{3, 1000});
                 attr(n, "axes", I64{1, 3});
               }});
  c.push_back({"Gather axis 1 const indices", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("i", {2, 0, -1});
                 attr(w.node("Gather", {"x", "i"}, {"out"}), "axis", int64_t{1});
               }});
  c.push_back({"Gather scalar index axis 3", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("i", {4}, true);
                 attr(w.node("Gather", {"x", "i"}, {"out"}), "axis", int64_t{3});
               }});
  c.push_back({"Reshape 0 and -1", 14, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("s", {0, -1, 9});
                 w.node("Reshape", {"x", "s"}, {"out"});
               }});
  one("Flatten axis 2", "Flatten", 13, [](auto& n) { attr(n, "axis", int64_t{2}); });
  one("Transpose 0,2,3,1", "Transpose", 13, [](auto& n) { attr(n, "perm", I64{0, 2, 3, 1}); });
  one("Transpose default (reverse)", "Transpose", 13);
  c.push_back({"Squeeze/Unsqueeze opset 11 attrs", 11, {{"x", {2, 1, 7, 9}}}, [](OnnxWriter& w) {
                 attr(w.node("Squeeze", {"x"}, {"s"}), "axes", I64{1});
                 attr(w.node("Unsqueeze", {"s"}, {"out"}), "axes", I64{0, 4});
               }});
  c.push_back({"Squeeze/Unsqueeze opset 13 inputs", 13, {{"x", {2, 1, 7, 9}}}, [](OnnxWriter& w) {
                 w.init_i64("a1", {1}).init_i64("a2", {-1});
                 w.node("Squeeze", {"x", "a1"}, {"s"});
                 w.node("Unsqueeze", {"s", "a2"}, {"out"});
               }});
  c.push_back({"Expand", 13, {{"x", {3, 1, 9}}}, [](OnnxWriter& w) {
                 w.init_i64("s", {2, 1, 5, 1});
                 w.node("Expand", {"x", "s"}, {"out"});
               }});
  c.push_back({"Tile", 13, {{"x", {2, 3, 4, 5}}}, [](OnnxWriter& w) {
                 w.init_i64("r", {1, 2, 1, 3});
                 w.node("Tile", {"x", "r"}, {"out"});
               }});
  c.push_back({"Pad constant opset 11", 11, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("p", {0, 0, 1, 2, 0, 0, 3, 0}).init_f("v", {0.25f}, true);
                 w.node("Pad", {"x", "p", "v"}, {"out"});
               }});
  c.push_back({"Pad reflect opset 13", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("p", {0, 0, 3, 1, 0, 0, 2, 4});
                 attr(w.node("Pad", {"x", "p"}, {"out"}), "mode", "reflect");
               }});
  c.push_back({"Pad edge opset 9 attrs", 9, {{"x", x4}}, [](OnnxWriter& w) {
                 auto& n = w.node("Pad", {"x"}, {"out"});
                 attr(n, "mode", "edge");
                 attr(n, "pads", I64{0, 1, 2, 3, 0, 0, 1, 2});
               }});
  one("DepthToSpace DCR", "DepthToSpace", 13, [](auto& n) { attr(n, "blocksize", int64_t{2}); }, -1,
      1, {2, 8, 3, 5});
  one("DepthToSpace CRD", "DepthToSpace", 13,
      [](auto& n) {
        attr(n, "blocksize", int64_t{2});
        attr(n, "mode", "CRD");
      },
      -1, 1, {2, 8, 3, 5});
  one("SpaceToDepth", "SpaceToDepth", 13, [](auto& n) { attr(n, "blocksize", int64_t{3}); }, -1, 1,
      {1, 2, 6, 9});
  // Shape subgraphs that must fold: Shape -> Gather -> Unsqueeze -> Concat -> Reshape,
  // ConstantOfShape, Range, Cast, Equal/Where.
  c.push_back({"shape chain -> Reshape", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Shape", {"x"}, {"s"});
                 w.init_i64("i0", {0}, true).init_i64("ax", {0}).init_i64("m1", {-1});
                 attr(w.node("Gather", {"s", "i0"}, {"n"}), "axis", int64_t{0});
                 w.node("Unsqueeze", {"n", "ax"}, {"n1"});
                 attr(w.node("Concat", {"n1", "m1"}, {"shape"}), "axis", int64_t{0});
                 w.node("Reshape", {"x", "shape"}, {"out"});
               }});
  c.push_back({"ConstantOfShape + Range + Cast", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Shape", {"x"}, {"s"});
                 auto& k = w.node("ConstantOfShape", {"s"}, {"half"});
                 auto* a = k.add_attribute();
                 a->set_name("value");
                 a->set_type(onnx::AttributeProto::TENSOR);
                 OnnxWriter::fill_tensor(a->mutable_t(), "v",
                                         Tensor::from_vector<float>({1}, {0.5f}));
                 w.init_i64("i3", {3}, true).init_i64("zero", {0}, true).init_i64("one", {1}, true);
                 attr(w.node("Gather", {"s", "i3"}, {"wd"}), "axis", int64_t{0});
                 w.node("Range", {"zero", "wd", "one"}, {"r"});
                 attr(w.node("Cast", {"r"}, {"rf"}), "to", int64_t{onnx::TensorProto::FLOAT});
                 w.node("Add", {"x", "half"}, {"xh"});
                 w.node("Add", {"xh", "rf"}, {"out"});
               }});
  c.push_back({"Equal + Where on shapes", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Shape", {"x"}, {"s"});
                 w.init_i64("seven", {7}, true).init_i64("neg", {-1}).init_i64("keep", {0});
                 w.node("Equal", {"s", "seven"}, {"is7"});
                 w.node("Where", {"is7", "neg", "keep"}, {"shape"});
                 w.node("Reshape", {"x", "shape"}, {"out"});
               }});
  // Convolutions.
  struct ConvCase {
    const char* label;
    int cin, cout, k, stride, dil, group;
    const char* auto_pad;
    I64 pads;
    bool bias;
  };
  for (const ConvCase& k : std::vector<ConvCase>{
           {"Conv 3x3 pads bias", 3, 8, 3, 1, 1, 1, "", {1, 1, 1, 1}, true},
           {"Conv stride 2 asymmetric pads", 3, 5, 3, 2, 1, 1, "", {0, 1, 2, 1}, true},
           {"Conv depthwise", 6, 6, 3, 1, 1, 6, "", {1, 1, 1, 1}, false},
           {"Conv grouped dilated", 4, 6, 3, 1, 2, 2, "", {2, 2, 2, 2}, true},
           {"Conv SAME_UPPER stride 2", 3, 4, 4, 2, 1, 1, "SAME_UPPER", {}, true},
           {"Conv SAME_LOWER stride 2", 3, 4, 4, 2, 1, 1, "SAME_LOWER", {}, true},
           {"Conv VALID 1x1", 5, 3, 1, 1, 1, 1, "VALID", {}, false},
       }) {
    c.push_back(
        {k.label, 13, {{"x", {2, k.cin, 9, 11}}}, [k](OnnxWriter& w) {
           w.init("w", test::random_tensor({k.cout, k.cin / k.group, k.k, k.k}, 11, -0.5f, 0.5f));
           std::vector<std::string> ins = {"x", "w"};
           if (k.bias) {
             w.init("b", test::random_tensor({k.cout}, 12));
             ins.push_back("b");
           }
           auto& n = w.node("Conv", ins, {"out"});
           attr(n, "strides", I64{k.stride, k.stride});
           attr(n, "dilations", I64{k.dil, k.dil});
           attr(n, "group", int64_t{k.group});
           if (*k.auto_pad)
             attr(n, "auto_pad", k.auto_pad);
           else
             attr(n, "pads", k.pads);
         }});
  }
  struct DeconvCase {
    const char* label;
    int cin, cout, k, stride, dil, group;
    const char* auto_pad;
    I64 pads, out_pad;
  };
  for (const DeconvCase& k : std::vector<DeconvCase>{
           {"ConvTranspose stride 2 pads output_padding",
            4,
            3,
            3,
            2,
            1,
            1,
            "",
            {1, 1, 1, 1},
            {1, 0}},
           {"ConvTranspose grouped dilated", 4, 6, 3, 1, 2, 2, "", {0, 1, 2, 0}, {0, 0}},
           {"ConvTranspose SAME_UPPER stride 2", 3, 2, 3, 2, 1, 1, "SAME_UPPER", {}, {0, 0}},
           {"ConvTranspose SAME_LOWER stride 2", 3, 2, 4, 2, 1, 1, "SAME_LOWER", {}, {0, 0}},
       }) {
    c.push_back(
        {k.label, 13, {{"x", {2, k.cin, 5, 7}}}, [k](OnnxWriter& w) {
           w.init("w", test::random_tensor({k.cin, k.cout / k.group, k.k, k.k}, 13, -0.5f, 0.5f));
           w.init("b", test::random_tensor({k.cout}, 14));
           auto& n = w.node("ConvTranspose", {"x", "w", "b"}, {"out"});
           attr(n, "strides", I64{k.stride, k.stride});
           attr(n, "dilations", I64{k.dil, k.dil});
           attr(n, "group", int64_t{k.group});
           attr(n, "output_padding", k.out_pad);
           if (*k.auto_pad)
             attr(n, "auto_pad", k.auto_pad);
           else
             attr(n, "pads", k.pads);
         }});
  }
  // Normalizations.
  c.push_back(
      {"BatchNormalization", 13, {{"x", x4}}, [](OnnxWriter& w) {
         w.init("s", test::random_tensor({3}, 15)).init("b", test::random_tensor({3}, 16));
         w.init("m", test::random_tensor({3}, 17))
             .init("v", test::random_tensor({3}, 18, 0.5f, 2.f));
         attr(w.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"out"}), "epsilon", 1e-3f);
       }});
  c.push_back({"InstanceNormalization", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init("s", test::random_tensor({3}, 19)).init("b", test::random_tensor({3}, 20));
                 w.node("InstanceNormalization", {"x", "s", "b"}, {"out"});
               }});
  c.push_back({"LayerNormalization axis -1", 17, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init("s", test::random_tensor({9}, 21)).init("b", test::random_tensor({9}, 22));
                 w.node("LayerNormalization", {"x", "s", "b"}, {"out"});
               }});
  c.push_back({"LayerNormalization axis -2 no bias", 17, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init("s", test::random_tensor({7, 9}, 23));
                 attr(w.node("LayerNormalization", {"x", "s"}, {"out"}), "axis", int64_t{-2});
               }});
  // Pooling.
  auto pool = [&](const std::string& label, const char* op,
                  std::function<void(onnx::NodeProto&)> a) {
    c.push_back({label, 13, {{"x", {2, 3, 10, 11}}}, [op, a](OnnxWriter& w) {
                   a(w.node(op, {"x"}, {"out"}));
                 }});
  };
  pool("MaxPool 3x3 s2 pads", "MaxPool", [](auto& n) {
    attr(n, "kernel_shape", I64{3, 3});
    attr(n, "strides", I64{2, 2});
    attr(n, "pads", I64{1, 1, 1, 1});
  });
  pool("MaxPool 2x2 ceil_mode", "MaxPool", [](auto& n) {
    attr(n, "kernel_shape", I64{2, 2});
    attr(n, "strides", I64{2, 2});
    attr(n, "ceil_mode", int64_t{1});
  });
  pool("MaxPool dilated SAME_UPPER", "MaxPool", [](auto& n) {
    attr(n, "kernel_shape", I64{3, 2});
    attr(n, "dilations", I64{2, 1});
    attr(n, "auto_pad", "SAME_UPPER");
  });
  pool("AveragePool exclude pad", "AveragePool", [](auto& n) {
    attr(n, "kernel_shape", I64{3, 3});
    attr(n, "strides", I64{2, 2});
    attr(n, "pads", I64{1, 1, 1, 1});
  });
  pool("AveragePool include pad ceil", "AveragePool", [](auto& n) {
    attr(n, "kernel_shape", I64{3, 3});
    attr(n, "strides", I64{2, 2});
    attr(n, "pads", I64{1, 0, 1, 0});
    attr(n, "count_include_pad", int64_t{1});
    attr(n, "ceil_mode", int64_t{1});
  });
  // Resize: every coordinate mode with linear and cubic, and every coordinate mode with
  // every nearest mode. tf_crop_and_resize uses a roi that runs past the image (left of
  // the top edge, right of the right edge) so some samples take extrapolation_value.
  const char* kCoords[] = {"half_pixel",           "asymmetric",         "align_corners",
                           "pytorch_half_pixel",   "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  auto resize_sizes = [](const char* mode, const char* coord, I64 sizes,
                         std::function<void(onnx::NodeProto&)> more = {}) {
    return [=](OnnxWriter& w) {
      const bool crop = std::string(coord) == "tf_crop_and_resize";
      w.init_i64("sz", sizes);
      if (crop) w.init_f("roi", {0.f, 0.f, -0.15f, 0.1f, 1.f, 1.f, 0.8f, 1.25f});
      auto& n = w.node("Resize", {"x", crop ? "roi" : "", "", "sz"}, {"out"});
      attr(n, "mode", mode);
      attr(n, "coordinate_transformation_mode", coord);
      if (crop) attr(n, "extrapolation_value", 0.375f);
      if (more) more(n);
    };
  };
  for (const char* coord : kCoords) {
    c.push_back({std::string("Resize linear sizes ") + coord, 13, {{"x", {1, 2, 5, 7}}},
                 resize_sizes("linear", coord, {1, 2, 9, 4})});
    c.push_back({std::string("Resize cubic sizes ") + coord, 13, {{"x", {1, 2, 5, 7}}},
                 resize_sizes("cubic", coord, {1, 2, 9, 11})});
  }
  for (const char* nm : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
    for (const char* coord : kCoords) {
      c.push_back({std::string("Resize nearest ") + nm + " " + coord, 13, {{"x", {1, 2, 5, 7}}},
                   resize_sizes("nearest", coord, {1, 2, 12, 3},
                                [nm](onnx::NodeProto& n) { attr(n, "nearest_mode", nm); })});
    }
  }
  c.push_back({"Resize cubic a=-0.5 exclude_outside scales 1.5x0.6", 13, {{"x", {1, 2, 7, 9}}},
               [](OnnxWriter& w) {
                 w.init_f("sc", {1.f, 1.f, 1.5f, 0.6f});
                 auto& n = w.node("Resize", {"x", "", "sc"}, {"out"});
                 attr(n, "mode", "cubic");
                 attr(n, "cubic_coeff_a", -0.5f);
                 attr(n, "exclude_outside", int64_t{1});
               }});
  c.push_back({"Resize cubic opset 11 scales x2 asymmetric", 11, {{"x", {1, 3, 5, 7}}},
               [](OnnxWriter& w) {
                 w.init_f("roi", {}).init_f("sc", {1.f, 1.f, 2.f, 2.f});
                 auto& n = w.node("Resize", {"x", "roi", "sc"}, {"out"});
                 attr(n, "mode", "cubic");
                 attr(n, "coordinate_transformation_mode", "asymmetric");
               }});
  c.push_back({"Resize cubic opset 18 sizes, one axis unchanged", 18, {{"x", {1, 2, 5, 7}}},
               resize_sizes("cubic", "align_corners", {1, 2, 5, 12})});
  c.push_back({"Resize crop nearest, one output row", 13, {{"x", {1, 2, 5, 7}}},
               resize_sizes("nearest", "tf_crop_and_resize", {1, 2, 1, 6})});
  c.push_back({"Resize opset 11 scales x2 nearest", 11, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 w.init_f("roi", {}).init_f("sc", {1.f, 1.f, 2.f, 2.f});
                 auto& n = w.node("Resize", {"x", "roi", "sc"}, {"out"});
                 attr(n, "coordinate_transformation_mode", "asymmetric");
                 attr(n, "nearest_mode", "floor");
               }});
  c.push_back(
      {"Resize opset 13 scales x2 linear half_pixel", 13, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
         w.init_f("sc", {1.f, 1.f, 2.f, 2.f});
         attr(w.node("Resize", {"x", "", "sc"}, {"out"}), "mode", "linear");
       }});
  // Fractional scales: ONNX Runtime maps coordinates with 1/scale, not in/out.
  for (const char* coord : {"half_pixel", "asymmetric", "pytorch_half_pixel", "align_corners"}) {
    c.push_back({std::string("Resize linear scales 1.5x0.6 ") + coord,
                 13,
                 {{"x", {1, 2, 7, 9}}},
                 [coord](OnnxWriter& w) {
                   w.init_f("sc", {1.f, 1.f, 1.5f, 0.6f});
                   auto& n = w.node("Resize", {"x", "", "sc"}, {"out"});
                   attr(n, "mode", "linear");
                   attr(n, "coordinate_transformation_mode", coord);
                 }});
  }
  c.push_back(
      {"Resize nearest scales 1.7 round_prefer_ceil", 13, {{"x", {1, 2, 7, 9}}}, [](OnnxWriter& w) {
         w.init_f("sc", {1.f, 1.f, 1.7f, 1.3f});
         auto& n = w.node("Resize", {"x", "", "sc"}, {"out"});
         attr(n, "nearest_mode", "round_prefer_ceil");
       }});
  c.push_back({"Resize opset 10 scales", 10, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 w.init_f("sc", {1.f, 1.f, 2.f, 3.f});
                 attr(w.node("Resize", {"x", "sc"}, {"out"}), "mode", "linear");
               }});
  c.push_back({"Resize opset 10 nearest downscale (rounds up)", 10, {{"x", {1, 3, 9, 11}}},
               [](OnnxWriter& w) {
                 w.init_f("sc", {1.f, 1.f, 0.5f, 0.7f});
                 w.node("Resize", {"x", "sc"}, {"out"});
               }});
  c.push_back({"Upsample opset 9 nearest", 9, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 w.init_f("sc", {1.f, 1.f, 2.f, 2.f});
                 w.node("Upsample", {"x", "sc"}, {"out"});
               }});
  c.push_back({"Upsample opset 9 linear 1.5x3", 9, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 w.init_f("sc", {1.f, 1.f, 1.5f, 3.f});
                 attr(w.node("Upsample", {"x", "sc"}, {"out"}), "mode", "linear");
               }});
  c.push_back({"Upsample opset 7 scales attribute", 7, {{"x", {1, 3, 5, 7}}}, [](OnnxWriter& w) {
                 auto& n = w.node("Upsample", {"x"}, {"out"});
                 attr(n, "scales", F32{1.f, 1.f, 3.f, 2.f});
                 attr(n, "mode", "nearest");
               }});
  // Comparisons, logic, Cast and Where on run-time data (bool/int carried as exact
  // floats inside the backends). Floor makes ties, so Equal and the *OrEqual ops see
  // both outcomes; y broadcasts against x.
  const Shape xy_y = {3, 1, 9};
  auto compare_case = [&](const std::string& label, const char* op, int opset) {
    OnnxOpCase k{label, opset, {{"x", x4}, {"y", xy_y}}, [op](OnnxWriter& w) {
                   w.node("Floor", {"x"}, {"fx"});
                   w.node("Floor", {"y"}, {"fy"});
                   w.node(op, {"fx", "fy"}, {"out"});
                 },
                 -3.f, 3.f, onnx::TensorProto::BOOL, true};
    c.push_back(k);
  };
  compare_case("Equal floats broadcast", "Equal", 13);
  compare_case("Less broadcast", "Less", 13);
  compare_case("Greater broadcast", "Greater", 13);
  compare_case("LessOrEqual broadcast", "LessOrEqual", 16);
  compare_case("GreaterOrEqual broadcast", "GreaterOrEqual", 16);
  c.push_back({"Equal exact, x vs Relu(x)", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Relu", {"x"}, {"r"});
                 w.node("Equal", {"x", "r"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::BOOL, true});
  for (const char* op : {"And", "Or", "Xor"})
    c.push_back({std::string(op) + " of comparisons", 13, {{"x", x4}, {"y", xy_y}},
                 [op](OnnxWriter& w) {
                   w.init_f("zero", {0.f}, true);
                   w.node("Less", {"x", "y"}, {"a"});
                   w.node("Greater", {"x", "zero"}, {"b"});
                   w.node(op, {"a", "b"}, {"out"});
                 }, -1.f, 1.f, onnx::TensorProto::BOOL, true});
  c.push_back({"Not", 13, {{"x", x4}, {"y", xy_y}}, [](OnnxWriter& w) {
                 w.node("Less", {"x", "y"}, {"a"});
                 w.node("Not", {"a"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::BOOL, true});
  c.push_back({"Where run-time condition, broadcast", 13, {{"x", x4}, {"y", xy_y}},
               [](OnnxWriter& w) {
                 w.init_f("two", {2.f}, true);
                 w.node("Greater", {"x", "y"}, {"c"});
                 w.node("Mul", {"y", "two"}, {"y2"});
                 w.node("Where", {"c", "x", "y2"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, true});
  c.push_back({"Where constant condition", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_bool("c", {9}, {true, false, false, true, true, false, true, false, true});
                 w.init_f("v", {0.25f}, true);
                 w.node("Where", {"c", "x", "v"}, {"out"});
               }, -1.f, 1.f, onnx::TensorProto::FLOAT, true});
  c.push_back({"Where int64 branches", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_f("zero", {0.f}, true).init_i64("m7", {-7}, true);
                 w.node("Less", {"x", "zero"}, {"c"});
                 attr(w.node("Cast", {"x"}, {"xi"}), "to", int64_t{onnx::TensorProto::INT64});
                 w.node("Where", {"c", "xi", "m7"}, {"out"});
               }, -5.f, 5.f, onnx::TensorProto::INT64, true});
  for (auto [name, type] : std::vector<std::pair<const char*, int>>{
           {"INT64", onnx::TensorProto::INT64}, {"INT32", onnx::TensorProto::INT32}}) {
    c.push_back({std::string("Cast float to ") + name + " truncates", 13, {{"x", x4}},
                 [type](OnnxWriter& w) { attr(w.node("Cast", {"x"}, {"out"}), "to", int64_t{type}); },
                 -5.f, 5.f, type, true});
  }
  c.push_back({"Cast float to BOOL", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.node("Relu", {"x"}, {"r"});
                 attr(w.node("Cast", {"r"}, {"out"}), "to", int64_t{onnx::TensorProto::BOOL});
               }, -1.f, 1.f, onnx::TensorProto::BOOL, true});
  c.push_back({"Cast bool and int64 back to float", 13, {{"x", x4}, {"y", xy_y}},
               [](OnnxWriter& w) {
                 w.node("Greater", {"x", "y"}, {"c"});
                 attr(w.node("Cast", {"c"}, {"cf"}), "to", int64_t{onnx::TensorProto::FLOAT});
                 attr(w.node("Cast", {"x"}, {"xi"}), "to", int64_t{onnx::TensorProto::INT64});
                 attr(w.node("Cast", {"xi"}, {"xf"}), "to", int64_t{onnx::TensorProto::FLOAT});
                 w.node("Add", {"cf", "xf"}, {"s"});
                 w.node("Mul", {"s", "x"}, {"out"});
               }, -4.f, 4.f, onnx::TensorProto::FLOAT, false, true});
  c.push_back({"Add and Equal on run-time int64", 13, {{"x", x4}}, [](OnnxWriter& w) {
                 w.init_i64("three", {3}, true).init_i64("one", {1}, true);
                 attr(w.node("Cast", {"x"}, {"xi"}), "to", int64_t{onnx::TensorProto::INT64});
                 w.node("Add", {"xi", "three"}, {"s"});
                 w.node("Equal", {"s", "one"}, {"e"});
                 w.node("Where", {"e", "xi", "s"}, {"o"});
                 attr(w.node("Cast", {"o"}, {"out"}), "to", int64_t{onnx::TensorProto::FLOAT});
               }, -4.f, 4.f, onnx::TensorProto::FLOAT, true});
  return c;
}

const std::vector<OnnxOpCase>& cases() {
  static const std::vector<OnnxOpCase> c = make_cases();
  return c;
}

// Prepared once per process: every model written, ORT run on all of them.
struct Prepared {
  std::string skip;   // the oracle is not installed: skip
  std::string error;  // the oracle is installed but its run failed: fail, never skip
  fs::path dir;
  std::vector<std::vector<Tensor>> inputs;
  std::vector<Result<std::vector<Tensor>>> want;
};

const Prepared& prepared() {
  static const Prepared p = [] {
    Prepared p;
    p.skip = test::ort_unavailable_reason();
    if (!p.skip.empty()) return p;
    p.dir = fs::temp_directory_path() / ("toonbox_onnx_ops_" + std::to_string(::getpid()));
    fs::create_directories(p.dir);
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < cases().size(); ++i) {
      const OnnxOpCase& c = cases()[i];
      OnnxWriter w(c.opset);
      std::vector<test::OrtInput> ins;
      for (size_t k = 0; k < c.inputs.size(); ++k) {
        const auto& [name, shape] = c.inputs[k];
        Shape dynamic = shape;  // batch and spatial dims dynamic, as real exports
        for (size_t d = 0; d < dynamic.size(); ++d)
          if (d == 0 || d >= 2) dynamic[d] = -1;
        w.input(name, dynamic);
        Tensor v = test::random_tensor(shape, 100 + static_cast<uint32_t>(i * 7 + k), c.lo, c.hi);
        if (c.exact || c.half_inputs)
          for (int64_t j = 0; j < v.numel(); ++j) v.data<float>()[j] = round_to_half(v.data<float>()[j]);
        ins.push_back({name, std::move(v)});
      }
      c.build(w);
      w.output("out", c.out_type);
      const fs::path cdir = p.dir / std::to_string(i);
      fs::create_directories(cdir);
      w.save((cdir / "model.onnx").string());
      nlohmann::json specs = nlohmann::json::array();
      for (size_t k = 0; k < ins.size(); ++k)
        specs.push_back(test::ort_input_spec(cdir, k, ins[k]));
      list.push_back({{"model", (cdir / "model.onnx").string()},
                      {"out_dir", (cdir / "out").string()},
                      {"inputs", specs}});
      std::vector<Tensor> values;
      for (auto& in : ins) values.push_back(in.value);
      p.inputs.push_back(std::move(values));
    }
    std::ofstream(p.dir / "list.json") << list.dump();
    const std::string cmd = test::ort_command() + " --batch " + (p.dir / "list.json").string() +
                            " > " + (p.dir / "ort.log").string() + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      p.error = "ort_run --batch failed; see " + (p.dir / "ort.log").string();
      return p;
    }
    for (size_t i = 0; i < cases().size(); ++i) {
      std::ifstream f(p.dir / std::to_string(i) / "out" / "result.json");
      auto j = nlohmann::json::parse(f, nullptr, false);
      p.want.push_back(j.is_discarded()
                           ? Result<std::vector<Tensor>>(internal_error("no ORT result"))
                           : test::read_ort_result(j));
    }
    return p;
  }();
  return p;
}

struct BackendParam {
  std::string name;  // Reference, Cpu, CudaFp32, CudaFp16
  Precision precision;
};

std::unique_ptr<Backend> make_backend(const BackendParam& b, std::string* skip) {
  if (b.name == "Cpu") return create_cpu_backend();
  return test::cuda_backend(skip);
}

class OnnxOps : public ::testing::TestWithParam<std::tuple<BackendParam, size_t>> {};

TEST_P(OnnxOps, MatchesOnnxRuntime) {
  const auto& [bp, index] = GetParam();
  const OnnxOpCase& c = cases()[index];
  const Prepared& p = prepared();
  if (!p.skip.empty()) GTEST_SKIP() << p.skip;
  ASSERT_TRUE(p.error.empty()) << p.error;
  ASSERT_TRUE(p.want[index].is_ok()) << c.label << ": " << p.want[index].status().to_string();
  const std::vector<Tensor>& want = p.want[index].value();

  std::unique_ptr<Backend> backend;
  if (bp.name != "Reference") {
    std::string skip;
    backend = make_backend(bp, &skip);
    if (!backend) GTEST_SKIP() << skip;
  }
  auto graph = import_onnx_model((p.dir / std::to_string(index) / "model.onnx").string());
  ASSERT_TRUE(graph.is_ok()) << c.label << ": " << graph.status().to_string();
  std::vector<Shape> shapes;
  for (const auto& in : c.inputs) shapes.push_back(in.second);
  auto spec = specialize(*graph, shapes);
  ASSERT_TRUE(spec.is_ok()) << c.label << ": " << spec.status().to_string();
  Graph g = std::move(spec).value();
  fuse_conv_activation(g);
  std::vector<Tensor> inputs;
  for (const Tensor& t : p.inputs[index]) {
    Tensor copy = t.clone();
    if (bp.precision == Precision::kFloat16)
      for (int64_t j = 0; j < copy.numel(); ++j)
        copy.data<float>()[j] = round_to_half(copy.data<float>()[j]);
    inputs.push_back(std::move(copy));
  }
  std::vector<Tensor> got;
  if (!backend) {
    auto r = reference_run(g, inputs);
    ASSERT_TRUE(r.is_ok()) << c.label << ": " << r.status().to_string();
    got = std::move(r).value();
  } else {
    auto exe = backend->compile(g, CompileOptions{bp.precision});
    ASSERT_TRUE(exe.is_ok()) << c.label << ": " << exe.status().to_string();
    ASSERT_TRUE((*exe)->run(inputs, &got, nullptr).is_ok()) << c.label;
  }
  ASSERT_EQ(got.size(), want.size()) << c.label;
  const double tol = bp.precision == Precision::kFloat16 ? 1e-4 : 1e-10;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].shape(), want[i].shape()) << c.label;
    const test::ErrorStats e = test::compare(got[i], want[i]);
    EXPECT_FALSE(e.has_nan) << c.label;
    EXPECT_LE(e.nmse, tol) << c.label << " on " << bp.name << ": " << e.to_string();
    if (c.exact) {
      EXPECT_EQ(e.max_abs, 0.0) << c.label << " on " << bp.name << ": " << e.to_string();
    }
  }
}

// What is refused must be refused clearly, naming the node and the reason.
struct RefusalCase {
  const char* label;
  int opset;
  Shape input;
  std::function<void(OnnxWriter&)> build;
  const char* expect;  // substring of the import or specialize error
};

TEST(OnnxOpsRefused, SaysWhy) {
  const std::vector<RefusalCase> cases = {
      {"antialias", 18, {1, 2, 9, 11}, [](OnnxWriter& w) {
         w.init_i64("sz", {1, 2, 4, 5});
         auto& n = w.node("Resize", {"x", "", "", "sz"}, {"out"});
         attr(n, "mode", "linear");
         attr(n, "antialias", int64_t{1});
       }, "antialias=1 is not supported"},
      {"roi computed at run time", 13, {1, 2, 5, 7}, [](OnnxWriter& w) {
         w.init_i64("sz", {1, 2, 9, 4});
         w.node("ReduceMax", {"x"}, {"m"});
         w.node("Reshape", {"m", "eight"}, {"roi"});
         w.init_i64("eight", {-1});
         auto& n = w.node("Resize", {"x", "roi", "", "sz"}, {"out"});
         attr(n, "coordinate_transformation_mode", "tf_crop_and_resize");
       }, "constant roi"},
      {"crop with scales", 13, {1, 2, 5, 7}, [](OnnxWriter& w) {
         w.init_f("roi", {0, 0, 0, 0, 1, 1, 1, 1}).init_f("sc", {1.f, 1.f, 2.f, 2.f});
         auto& n = w.node("Resize", {"x", "roi", "sc"}, {"out"});
         attr(n, "coordinate_transformation_mode", "tf_crop_and_resize");
       }, "with scales"},
      {"Range over run-time data", 13, {1, 2, 5, 7}, [](OnnxWriter& w) {
         w.node("ReduceMax", {"x"}, {"m"});
         w.init_f("zero", {0.f}, true).init_f("one", {1.f}, true);
         w.node("Range", {"zero", "m", "one"}, {"r"});
         w.node("Add", {"x", "r"}, {"out"});
       }, "Range over run-time data has no static shape"},
      {"integer Div at run time", 13, {1, 2, 5, 7}, [](OnnxWriter& w) {
         w.init_i64("two", {2}, true);
         attr(w.node("Cast", {"x"}, {"xi"}), "to", int64_t{onnx::TensorProto::INT64});
         w.node("Div", {"xi", "two"}, {"q"});
         attr(w.node("Cast", {"q"}, {"out"}), "to", int64_t{onnx::TensorProto::FLOAT});
       }, "integer div"},
  };
  const fs::path dir =
      fs::temp_directory_path() / ("toonbox_onnx_refused_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const RefusalCase& k : cases) {
    OnnxWriter w(k.opset);
    w.input("x", k.input);
    k.build(w);
    w.output("out");
    const fs::path path = dir / (std::string(k.label) + ".onnx");
    ASSERT_TRUE(w.save(path.string()));
    auto graph = import_onnx_model(path.string());
    std::string error;
    if (!graph.is_ok()) {
      error = graph.status().to_string();
    } else {
      auto spec = specialize(*graph, {k.input});
      ASSERT_FALSE(spec.is_ok()) << k.label << " was accepted";
      error = spec.status().to_string();
    }
    EXPECT_NE(error.find(k.expect), std::string::npos) << k.label << ": " << error;
    EXPECT_NE(error.find("node '"), std::string::npos) << k.label << ": " << error;
  }
  fs::remove_all(dir);
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<BackendParam, size_t>>& info) {
  std::string label =
      std::get<1>(info.param) < cases().size() ? cases()[std::get<1>(info.param)].label : "x";
  std::string out =
      std::get<0>(info.param).name + "_" + std::to_string(std::get<1>(info.param)) + "_";
  for (char ch : label) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    All, OnnxOps,
    ::testing::Combine(::testing::Values(BackendParam{"Reference", Precision::kFloat32},
                                         BackendParam{"Cpu", Precision::kFloat32},
                                         BackendParam{"CudaFp32", Precision::kFloat32},
                                         BackendParam{"CudaFp16", Precision::kFloat16}),
                       ::testing::Range<size_t>(0, cases().size())),
    case_name);

}  // namespace
}  // namespace toonbox
