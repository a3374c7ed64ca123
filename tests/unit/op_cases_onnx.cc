// The ONNX half of the op case list, element-wise, reduction, matrix, data-movement,
// shape-folding and comparison/logic/cast cases (convolutions, normalizations, pooling
// and resizing: op_cases_onnx_nn.cc). Each is a small model with odd sizes, dynamic dims
// and attribute variants across opsets 7-20, run by ONNX Runtime on the same inputs.
#include "unit/op_cases_onnx_util.h"
#include "unit/test_util.h"

namespace toonbox::test {

using I64 = std::vector<int64_t>;
using F32 = std::vector<float>;

std::vector<OpCase> onnx_op_cases() {
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
  // PRelu: the slope per channel (ONNX's [C,1,1]), one value, along the last axis, and
  // one per element of an image.
  for (const auto& [label, slope] : std::vector<std::pair<const char*, Shape>>{
           {"PRelu per channel", {3, 1, 1}},
           {"PRelu one slope", {1}},
           {"PRelu slope along W", {9}},
           {"PRelu slope per pixel and channel", {3, 7, 9}}}) {
    c.push_back({label, 13, {{"x", x4}}, [slope = slope](OnnxWriter& w) {
                   w.init("slope", test::random_tensor(slope, 5, 0.f, 0.5f));
                   w.node("PRelu", {"x", "slope"}, {"out"});
                 }, -2.f, 2.f});
  }
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
  one("DepthToSpace CRD block 3 opset 11", "DepthToSpace", 11,
      [](auto& n) {
        attr(n, "blocksize", int64_t{3});
        attr(n, "mode", "CRD");
      },
      -1, 1, {1, 18, 4, 5});
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
  return to_op_cases(std::move(c));
}

}  // namespace toonbox::test
