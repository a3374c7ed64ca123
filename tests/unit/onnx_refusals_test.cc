// What the ONNX importer and specialize() refuse must be refused clearly, naming the node
// and the reason. (The ONNX operators themselves are cases of the op test matrix,
// op_cases_onnx*.cc.)
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>

#include "compile/specialize.h"
#include "import/onnx/onnx_importer.h"
#include "unit/onnx_test_util.h"

using namespace toonbox::compile;

namespace toonbox {
namespace {

namespace fs = std::filesystem;
using test::attr;
using test::OnnxWriter;

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
      // DFT (a LaMa export's FFT): what the Dft op cannot express, and bad shapes.
      {"DFT inverse onesided", 17, {1, 8, 4, 2}, [](OnnxWriter& w) {
         auto& n = w.node("DFT", {"x"}, {"out"});
         attr(n, "inverse", int64_t{1});
         attr(n, "onesided", int64_t{1});
       }, "inverse with onesided=1"},
      {"DFT dft_length computed", 17, {1, 8, 4, 1}, [](OnnxWriter& w) {
         w.node("Shape", {"x"}, {"s"});
         w.init_i64("two", {2}, true);
         w.node("Gather", {"s", "two"}, {"len"});
         w.node("DFT", {"x", "len"}, {"out"});
       }, "dft_length must be a constant"},
      {"DFT of 3 components", 17, {1, 8, 3}, [](OnnxWriter& w) {
         w.node("DFT", {"x"}, {"out"});
       }, "must end in a dim of 1 (real) or 2 (complex)"},
      {"DFT along the component dim", 20, {1, 8, 2}, [](OnnxWriter& w) {
         w.init_i64("axis", {2}, true);
         w.node("DFT", {"x", "", "axis"}, {"out"});
       }, "axis 2 out of range for [1,8,2]"},
      {"LaMa with an unsupported op", 17, {1, 8, 6, 1}, [](OnnxWriter& w) {
         attr(w.node("DFT", {"x"}, {"f"}), "onesided", int64_t{1});
         w.node("STFT", {"f"}, {"out"});
       }, "unsupported ONNX ops: STFT (node 'STFT_2')"},
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
    auto graph = onnx_import::import_onnx_model(path.string());
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

}  // namespace
}  // namespace toonbox
