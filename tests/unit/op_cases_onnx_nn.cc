// The ONNX op cases of the neural-network ops: convolutions, ConvTranspose,
// normalizations, pooling, Resize and Upsample (the rest: op_cases_onnx.cc).
#include "unit/op_cases_onnx_util.h"
#include "unit/test_util.h"

namespace toonbox::test {

using I64 = std::vector<int64_t>;
using F32 = std::vector<float>;

std::vector<OpCase> onnx_nn_op_cases() {
  std::vector<OnnxOpCase> c;
  const Shape x4 = {2, 3, 7, 9};
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
  c.push_back({"InstanceNormalization 3-D epsilon 1e-2", 13, {{"x", {2, 5, 11}}}, [](OnnxWriter& w) {
                 w.init("s", test::random_tensor({5}, 24)).init("b", test::random_tensor({5}, 25));
                 attr(w.node("InstanceNormalization", {"x", "s", "b"}, {"out"}), "epsilon", 1e-2f);
               }, -2.f, 3.f});
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
  return to_op_cases(std::move(c));
}

}  // namespace toonbox::test
