// Malformed and hostile TF.js models: each must fail with an error that names the file
// and the problem, never crash, read outside the model folder or allocate wildly.
#include <gtest/gtest.h>

#include <fstream>

#include "import/tfjs/tfjs_importer.h"
#include "unit/tfjs_test_util.h"

namespace toonbox {
namespace {

using test::attr_i;
using test::attr_ints;
using test::attr_s;
using test::attr_type;
using test::conv_attrs;
using test::OJson;
using test::TempDir;
using test::TfjsModelBuilder;

// x -> Conv2D(w) -> out: the smallest model with a weight.
TfjsModelBuilder tiny_model() {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 2});
  b.const_f32("w", {3, 3, 2, 4}, std::vector<float>(72, 0.5f));
  b.node("out", "Conv2D", {"x", "w"}, conv_attrs(1, "SAME"));
  return b;
}

// Writes `b` into a fresh dir, imports, expects failure with `code` and every fragment.
void expect_error(const TfjsModelBuilder& b, StatusCode code,
                  const std::vector<std::string>& fragments,
                  const tfjs::TfjsImportOptions& options = {}) {
  TempDir dir;
  b.write(dir.path());
  auto g = tfjs::import_tfjs_model(dir.str(), options);
  ASSERT_FALSE(g.is_ok()) << "imported a bad model";
  const std::string msg = g.status().message();
  EXPECT_EQ(g.status().code(), code) << g.status().to_string();
  EXPECT_NE(msg.find((dir.path() / "model.json").string()), std::string::npos)
      << "error does not name the file: " << msg;
  for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
}

void expect_error_in_dir(const std::filesystem::path& dir, StatusCode code,
                         const std::vector<std::string>& fragments) {
  auto g = tfjs::import_tfjs_model(dir.string());
  ASSERT_FALSE(g.is_ok()) << "imported a bad model";
  EXPECT_EQ(g.status().code(), code) << g.status().to_string();
  for (const std::string& f : fragments)
    EXPECT_NE(g.status().message().find(f), std::string::npos) << g.status().message();
}

TEST(TfjsValidation, TheTinyModelItselfImports) {
  TempDir dir;
  tiny_model().write(dir.path());
  auto g = tfjs::import_tfjs_model((dir.path() / "model.json").string());
  EXPECT_TRUE(g.is_ok()) << g.status().to_string();
}

// ---- shards ---------------------------------------------------------------------------

TEST(TfjsValidation, TruncatedShard) {
  TfjsModelBuilder b = tiny_model();
  b.shard().resize(b.shard().size() - 10);
  expect_error(b, StatusCode::kDataLoss,
               {"group1-shard1of1.bin", "got 278 bytes, expected 288", "truncated"});
}

TEST(TfjsValidation, ShardLongerThanTheManifestSays) {
  TfjsModelBuilder b = tiny_model();
  b.shard().resize(b.shard().size() + 3, 0);
  expect_error(b, StatusCode::kDataLoss, {"got 291 bytes, expected 288"});
}

TEST(TfjsValidation, MissingShard) {
  TempDir dir;
  tiny_model().write(dir.path());
  std::filesystem::remove(dir.path() / "group1-shard1of1.bin");
  expect_error_in_dir(dir.path(), StatusCode::kNotFound, {"group1-shard1of1.bin"});
}

TEST(TfjsValidation, PathTraversalIsRejected) {
  TempDir root;
  const auto dir = root.path() / "model";
  TfjsModelBuilder b = tiny_model();
  b.doc()["weightsManifest"][0]["paths"] = {"../outside.bin"};
  b.write(dir);
  std::filesystem::copy_file(dir / "group1-shard1of1.bin", root.path() / "outside.bin");  // exists
  expect_error_in_dir(dir, StatusCode::kDataLoss, {"'../outside.bin'", "'..' is not allowed"});
  b.doc()["weightsManifest"][0]["paths"] = {"sub/../../outside.bin"};
  b.write(dir);
  expect_error_in_dir(dir, StatusCode::kDataLoss, {"'..' is not allowed"});
}

TEST(TfjsValidation, AbsoluteShardPathIsRejected) {
  TempDir root;
  const auto dir = root.path() / "model";
  TfjsModelBuilder b = tiny_model();
  b.write(dir);
  b.doc()["weightsManifest"][0]["paths"] = {(dir / "group1-shard1of1.bin").string()};  // exists
  b.write(dir);
  expect_error_in_dir(dir, StatusCode::kDataLoss, {"absolute paths are not allowed"});
}

TEST(TfjsValidation, SymlinkOutOfTheModelFolderIsRejected) {
  TempDir root;
  const auto dir = root.path() / "model";
  TfjsModelBuilder b = tiny_model();
  b.doc()["weightsManifest"][0]["paths"] = {"link.bin"};
  b.write(dir);
  std::filesystem::rename(dir / "group1-shard1of1.bin", root.path() / "real.bin");
  std::filesystem::create_symlink(root.path() / "real.bin", dir / "link.bin");
  expect_error_in_dir(dir, StatusCode::kDataLoss, {"outside the model folder"});
}

TEST(TfjsValidation, SymlinkInsideTheModelFolderIsFine) {
  TempDir dir;
  TfjsModelBuilder b = tiny_model();
  b.doc()["weightsManifest"][0]["paths"] = {"link.bin"};
  b.write(dir.path());
  std::filesystem::create_directories(dir.path() / "data");
  std::filesystem::rename(dir.path() / "group1-shard1of1.bin", dir.path() / "data" / "w.bin");
  std::filesystem::create_symlink("data/w.bin", dir.path() / "link.bin");
  auto g = tfjs::import_tfjs_model(dir.str());
  EXPECT_TRUE(g.is_ok()) << g.status().to_string();
}

TEST(TfjsValidation, UrlShardPathIsRejected) {
  TfjsModelBuilder b = tiny_model();
  b.doc()["weightsManifest"][0]["paths"] = {"https://example.com/w.bin"};
  expect_error(b, StatusCode::kUnimplemented, {"URLs are not supported"});
}

TEST(TfjsValidation, ShardsOfAGroupAreConcatenated) {
  // The same bytes split over two files import the same as one.
  TempDir dir;
  TfjsModelBuilder b = tiny_model();
  b.doc()["weightsManifest"][0]["paths"] = {"a.bin", "b.bin"};
  b.write(dir.path());
  const auto& bytes = b.shard();
  std::ofstream(dir.path() / "a.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), 100);
  std::ofstream(dir.path() / "b.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()) + 100,
             static_cast<std::streamsize>(bytes.size() - 100));
  auto g = tfjs::import_tfjs_model(dir.str());
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
}

// ---- the manifest ---------------------------------------------------------------------

TEST(TfjsValidation, MissingWeight) {
  TfjsModelBuilder b = tiny_model();
  b.weights() = OJson::array();
  b.shard().clear();
  expect_error(b, StatusCode::kDataLoss, {"node 'w' (Const)", "no weight named 'w'"});
}

TEST(TfjsValidation, NegativeDim) {
  TfjsModelBuilder b = tiny_model();
  b.weights()[0]["shape"] = {3, -3, 2, 4};
  expect_error(b, StatusCode::kInvalidArgument, {"weight 'w'", "negative dimension"});
}

TEST(TfjsValidation, HugeDims) {
  TfjsModelBuilder b = tiny_model();
  b.weights()[0]["shape"] = {100000, 100000, 1000, 4};
  expect_error(b, StatusCode::kResourceExhausted, {"weight 'w'", "elements"});
  b.weights()[0]["shape"] = {"9223372036854775807", "9223372036854775807"};
  expect_error(b, StatusCode::kResourceExhausted, {"weight 'w'"});
}

TEST(TfjsValidation, BadWeightEntries) {
  {
    TfjsModelBuilder b = tiny_model();
    b.weights()[0]["dtype"] = "string";
    expect_error(b, StatusCode::kUnimplemented, {"weight 'w'", "dtype 'string'"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.weights()[0]["quantization"] = {{"dtype", "int4"}};
    expect_error(b, StatusCode::kUnimplemented, {"weight 'w'", "quantization dtype 'int4'"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.weights()[0]["quantization"] = {{"dtype", "uint8"}, {"scale", 0.5}};
    expect_error(b, StatusCode::kDataLoss, {"weight 'w'", "needs 'min' and 'scale'"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.weights()[0]["shape"] = "3x3";
    expect_error(b, StatusCode::kDataLoss, {"weight 'w'", "'shape' must be an array"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.weights().push_back(b.weights()[0]);
    expect_error(b, StatusCode::kDataLoss, {"weight 'w' appears twice"});
  }
}

TEST(TfjsValidation, ConstDisagreesWithItsWeight) {
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][1]["attr"]["dtype"] = attr_type("DT_INT32");
    expect_error(b, StatusCode::kDataLoss,
                 {"node 'w' (Const)", "type int32 but its weight is float32"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][1]["attr"]["value"]["tensor"]["tensorShape"] =
        test::shape_proto({9, 8});
    expect_error(b, StatusCode::kDataLoss, {"declares shape [9,8] but its weight has [3,3,2,4]"});
  }
}

// ---- model.json -----------------------------------------------------------------------

TEST(TfjsValidation, BadJson) {
  TempDir dir;
  std::ofstream(dir.path() / "model.json") << "{\"format\": \"graph-model\", \"modelTopology\": {";
  expect_error_in_dir(dir.path(), StatusCode::kDataLoss, {"model.json", "invalid JSON"});
}

TEST(TfjsValidation, DeeplyNestedJson) {
  TempDir dir;
  std::ofstream(dir.path() / "model.json") << std::string(100000, '[') << std::string(100000, ']');
  expect_error_in_dir(dir.path(), StatusCode::kDataLoss, {"nested deeper than"});
}

TEST(TfjsValidation, NotAGraphModel) {
  TfjsModelBuilder b = tiny_model();
  b.doc()["format"] = "layers-model";
  expect_error(b, StatusCode::kUnimplemented, {"\"layers-model\"", "graph-model"});
  b.doc().erase("format");
  expect_error(b, StatusCode::kDataLoss, {"'format' is missing"});
}

TEST(TfjsValidation, ModelJsonOverTheSizeLimit) {
  tfjs::TfjsImportOptions options;
  options.max_model_json_bytes = 100;
  expect_error(tiny_model(), StatusCode::kResourceExhausted, {"over the limit of 100"}, options);
}

TEST(TfjsValidation, MissingModelJson) {
  TempDir dir;
  expect_error_in_dir(dir.path(), StatusCode::kNotFound, {"model.json", "no such file"});
}

TEST(TfjsValidation, WrongJsonTypes) {
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"] = OJson::array({"x"});
    expect_error(b, StatusCode::kDataLoss, {"modelTopology.node[0]: expected an object"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["input"] = {"x", 7};
    expect_error(b, StatusCode::kDataLoss, {"node 'out'", "expected a string"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    OJson entry = OJson::object();
    entry["paths"] = "a.bin";
    b.doc()["weightsManifest"] = OJson::array({entry});
    expect_error(b, StatusCode::kDataLoss, {"weightsManifest[0]: 'paths' must be an array"});
  }
}

// ---- the graph ------------------------------------------------------------------------

TEST(TfjsValidation, UnknownOpsAreAllListedBeforeWeightsAreRead) {
  TfjsModelBuilder b = tiny_model();
  b.node("a/b", "Foo", {"out"});
  b.node("c", "Bar", {"a/b"});
  b.node("d", "Foo", {"c"});
  b.shard().clear();  // would be a size error if weights were read first
  expect_error(b, StatusCode::kUnimplemented,
               {"unsupported TF.js ops: Foo (nodes 'a/b', 'd'), Bar (node 'c')"});
}

TEST(TfjsValidation, Cycle) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, 1});
  b.node("a", "Add", {"x", "c"});
  b.node("b", "Relu", {"a"});
  b.node("c", "Neg", {"b"});
  b.node("out", "Relu", {"c"});
  expect_error(b, StatusCode::kDataLoss, {"cycle", "'a'", "'b'", "'c'"});
}

TEST(TfjsValidation, SelfLoop) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, 1});
  b.node("a", "Add", {"x", "a"});
  expect_error(b, StatusCode::kDataLoss, {"cycle: 'a' -> 'a'"});
}

TEST(TfjsValidation, UnknownInput) {
  TfjsModelBuilder b = tiny_model();
  b.doc()["modelTopology"]["node"][2]["input"] = {"x", "nowhere"};
  expect_error(b, StatusCode::kDataLoss, {"node 'out' (Conv2D) reads unknown node 'nowhere'"});
  b.doc()["modelTopology"]["node"][2]["input"] = {"x", "w", "^ghost"};
  expect_error(b, StatusCode::kDataLoss, {"control input on unknown node 'ghost'"});
}

TEST(TfjsValidation, SecondOutputOfASingleOutputOp) {
  TfjsModelBuilder b = tiny_model();
  b.doc()["modelTopology"]["node"][2]["input"] = {"x:1", "w"};
  expect_error(b, StatusCode::kDataLoss, {"reads output 1 of 'x'"});
}

TEST(TfjsValidation, DuplicateNodeNames) {
  TfjsModelBuilder b = tiny_model();
  b.node("out", "Relu", {"x"});
  expect_error(b, StatusCode::kDataLoss, {"duplicate node name 'out'"});
}

TEST(TfjsValidation, AttributesOfTheWrongShapeOrType) {
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["strides"] = attr_ints({1, 1, 1});
    expect_error(b, StatusCode::kDataLoss,
                 {"node 'out' (Conv2D): attribute 'strides': expected 4 ints, got 3"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["strides"] = attr_s("1,1,1,1");
    expect_error(b, StatusCode::kDataLoss, {"attribute 'strides': expected 'list', got 's'"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["strides"] = {
        {"list", {{"i", {"1", "x", "1", "1"}}}}};
    expect_error(b, StatusCode::kDataLoss, {"attribute 'strides'", "'x' is not an integer"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["padding"] = {{"s", "***"}};
    expect_error(b, StatusCode::kDataLoss, {"attribute 'padding'", "invalid base64"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["padding"] = attr_s("FULL");
    expect_error(b, StatusCode::kDataLoss, {"unknown padding 'FULL'"});
  }
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"].erase("strides");
    expect_error(b, StatusCode::kDataLoss, {"attribute 'strides': missing"});
  }
}

TEST(TfjsValidation, UnsupportedVariantsAreUnimplemented) {
  {
    TfjsModelBuilder b = tiny_model();
    b.doc()["modelTopology"]["node"][2]["attr"]["data_format"] = attr_s("NCHW");
    expect_error(b, StatusCode::kUnimplemented, {"data_format NCHW"});
  }
  {
    TfjsModelBuilder b;
    b.placeholder("x", {1, -1, -1, 2});
    b.const_f32("w", {1, 1, 2, 1}, {1.f, 1.f});
    b.const_f32("bias", {1}, {0.f});
    OJson a = conv_attrs(1, "SAME");
    a["fused_ops"] = test::attr_strs({"BiasAdd", "Elu"});
    a["num_args"] = attr_i(1);
    b.node("conv", "_FusedConv2D", {"x", "w", "bias"}, a);
    expect_error(b, StatusCode::kUnimplemented, {"fused activation Elu"});
  }
  {
    TfjsModelBuilder b;
    b.placeholder("x", {1, -1, -1, 2});
    b.placeholder("f", {3, 3, 2, 1});
    b.node("conv", "Conv2D", {"x", "f"}, conv_attrs(1, "SAME"));
    expect_error(b, StatusCode::kUnimplemented, {"the filter must be a constant"});
  }
}

// Every value in model.json replaced by values of other types and ranges: the importer
// must answer each with a Status (ASan/UBSan builds check there is no memory error).
void collect_pointers(const OJson& j, const OJson::json_pointer& at,
                      std::vector<OJson::json_pointer>* out) {
  out->push_back(at);
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) collect_pointers(it.value(), at / it.key(), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) collect_pointers(j[i], at / i, out);
  }
}

TEST(TfjsValidation, EveryValueMutatedNeverCrashes) {
  TfjsModelBuilder base = tiny_model();
  base.const_f32("bias", {4}, {1.f, 2.f, 3.f, 4.f}, test::WeightFormat::kUInt8);
  base.const_i32("size", {2}, {4, 4});
  base.node("act", "LeakyRelu", {"out"}, {{"alpha", test::attr_f(0.2f)}});
  base.node("up", "ResizeBilinear", {"act", "size"}, {{"align_corners", test::attr_b(false)}});
  base.node("biased", "BiasAdd", {"up", "bias"});
  std::vector<OJson::json_pointer> pointers;
  collect_pointers(base.doc(), OJson::json_pointer(), &pointers);
  const OJson replacements[] = {nullptr,
                                7,
                                -1,
                                "x",
                                OJson::array(),
                                OJson::object(),
                                true,
                                "9223372036854775807",
                                OJson::array({1, 2, 3}),
                                1e300};
  TempDir dir;
  int imported = 0, failed = 0;
  for (const auto& ptr : pointers) {
    for (const OJson& r : replacements) {
      TfjsModelBuilder b = base;
      if (ptr.empty()) {
        b.doc() = r;
      } else {
        b.doc()[ptr] = r;
      }
      b.write(dir.path());
      auto g = tfjs::import_tfjs_model(dir.str());
      (g.is_ok() ? imported : failed) += 1;
      if (!g.is_ok()) {
        EXPECT_FALSE(g.status().message().empty());
      }
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(imported, 0);  // some replacements are harmless (names, unused attrs)
}

}  // namespace
}  // namespace toonbox
