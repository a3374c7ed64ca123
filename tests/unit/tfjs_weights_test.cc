// Weight decoding exactly as TF.js does it, and the small parsers under the importer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/dtype.h"
#include "import/tfjs/tfjs_importer.h"
#include "import/tfjs/tfjs_model.h"
#include "import/tfjs/tfjs_weights.h"
#include "unit/tfjs_test_util.h"

using namespace toonbox::graph;

namespace toonbox {
namespace {

using tfjs::Quantization;
using tfjs::TfWeightSpec;

tfjs::TfWeightSpec spec(DType dtype, tfjs::Quantization q, int64_t n, int64_t bytes_per_value,
                        double min = 0, double scale = 1) {
  tfjs::TfWeightSpec s;
  s.name = "w";
  s.shape = {n};
  s.dtype = dtype;
  s.quantization = q;
  s.min = min;
  s.scale = scale;
  s.stored_bytes = n * bytes_per_value;
  return s;
}

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

TEST(TfjsWeights, Float16DecodesExactly) {
  // Zero, negative zero, smallest and largest subnormal, one, largest finite, -2, inf.
  const std::vector<uint16_t> halves = {0x0000, 0x8000, 0x0001, 0x03ff,
                                        0x3c00, 0x7bff, 0xc000, 0x7c00};
  const std::vector<float> want = {
      0.f, -0.f, std::ldexp(1.f, -24), std::ldexp(1023.f, -24), 1.f, 65504.f, -2.f, INFINITY};
  std::vector<uint8_t> bytes;
  for (uint16_t h : halves) {
    bytes.push_back(h & 0xff);
    bytes.push_back(h >> 8);
  }
  auto t = tfjs::decode_weight(spec(DType::kFloat32, tfjs::Quantization::kFloat16, 8, 2),
                               bytes.data(), bytes.size());
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(bits(t->data<float>()[i]), bits(want[i])) << i;
}

TEST(TfjsWeights, Uint8IsAffineInDoubleRoundedOnce) {
  // TF.js computes `q * scale + min` in double and stores it into a Float32Array.
  const double min = static_cast<double>(-0.7312345f), scale = 0.0057283;
  std::vector<uint8_t> q(256);
  for (int i = 0; i < 256; ++i) q[i] = static_cast<uint8_t>(i);
  auto t = tfjs::decode_weight(
      spec(DType::kFloat32, tfjs::Quantization::kUInt8, 256, 1, min, scale), q.data(), 256);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  int differs_from_float_math = 0;
  for (int i = 0; i < 256; ++i) {
    const float want = static_cast<float>(i * scale + min);
    EXPECT_EQ(bits(t->data<float>()[i]), bits(want)) << i;
    volatile float fs = static_cast<float>(scale), fm = static_cast<float>(min);
    volatile float prod = static_cast<float>(i) * fs;
    volatile float in_float = prod + fm;
    differs_from_float_math += in_float != want;
  }
  // The distinction matters: single-precision arithmetic would get some of these wrong.
  EXPECT_GT(differs_from_float_math, 0);
}

TEST(TfjsWeights, Uint16IsLittleEndian) {
  const std::vector<uint8_t> bytes = {0x01, 0x00, 0x00, 0x01, 0xff, 0xff};  // 1, 256, 65535
  auto t = tfjs::decode_weight(spec(DType::kFloat32, tfjs::Quantization::kUInt16, 3, 2, -1.0, 0.5),
                               bytes.data(), 6);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->data<float>()[0], -0.5f);
  EXPECT_EQ(t->data<float>()[1], 127.f);
  EXPECT_EQ(t->data<float>()[2], 32766.5f);
}

TEST(TfjsWeights, Int32PlainAndQuantized) {
  const std::vector<uint8_t> plain = {0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00, 0x00};  // -1, 258
  auto t =
      tfjs::decode_weight(spec(DType::kInt32, tfjs::Quantization::kNone, 2, 4), plain.data(), 8);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->data<int32_t>()[0], -1);
  EXPECT_EQ(t->data<int32_t>()[1], 258);
  // Math.round: ties go toward +infinity: -0.5 -> 0, 0.5 -> 1, -1.5 -> -1.
  const std::vector<uint8_t> q = {1, 3, 0, 2};
  auto r = tfjs::decode_weight(spec(DType::kInt32, tfjs::Quantization::kUInt8, 4, 1, -1.5, 1.0),
                               q.data(), 4);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->data<int32_t>()[0], 0);   // -0.5
  EXPECT_EQ(r->data<int32_t>()[1], 2);   // 1.5
  EXPECT_EQ(r->data<int32_t>()[2], -1);  // -1.5
  EXPECT_EQ(r->data<int32_t>()[3], 1);   // 0.5
  auto big = tfjs::decode_weight(spec(DType::kInt32, tfjs::Quantization::kUInt8, 1, 1, 0, 1e10),
                                 q.data(), 1);
  ASSERT_FALSE(big.is_ok());
  EXPECT_NE(big.status().message().find("does not fit int32"), std::string::npos);
}

TEST(TfjsWeights, QuantizedWeightsReachTheGraph) {
  // End to end: the importer's constant holds the TF.js-decoded values.
  test::TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, 3});
  const std::vector<float> v = {-0.3f, 0.123f, 0.77f};
  const auto u8 = b.const_f32("k8", {3}, v, test::WeightFormat::kUInt8);
  const auto f16 = b.const_f32("k16", {3}, v, test::WeightFormat::kFloat16);
  b.node("a", "Mul", {"x", "k8"});
  b.node("b", "Mul", {"x", "k16"});
  test::TempDir dir;
  b.write(dir.path());
  auto g = tfjs::import_tfjs_model(dir.str());
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  int checked = 0;
  for (const Value& val : g->values()) {
    if (!val.constant) continue;
    const auto& want = val.name == "k8" ? u8 : f16;
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(bits(val.constant->data<float>()[i]), bits(want[i])) << val.name;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(TfjsModelJson, Base64) {
  EXPECT_EQ(tfjs::base64_decode("U0FNRQ==").value(), "SAME");
  EXPECT_EQ(tfjs::base64_decode("TkhXQw==").value(), "NHWC");
  EXPECT_EQ(tfjs::base64_decode("Qmlhc0FkZA").value(), "BiasAdd");  // padding optional
  EXPECT_EQ(tfjs::base64_decode("").value(), "");
  EXPECT_EQ(tfjs::base64_decode("-_8=").value(), "\xfb\xff");  // URL-safe alphabet
  EXPECT_FALSE(tfjs::base64_decode("U0F*RQ==").is_ok());
  EXPECT_FALSE(tfjs::base64_decode("U").is_ok());
  EXPECT_FALSE(tfjs::base64_decode("U0FNRQ===").is_ok());
  EXPECT_EQ(test::base64("LeakyRelu"), "TGVha3lSZWx1");
}

TEST(TfjsModelJson, InputReferences) {
  tfjs::TfInput in;
  std::string control;
  EXPECT_TRUE(tfjs::parse_input_ref("a/b", &in, &control).value());
  EXPECT_EQ(in.node, "a/b");
  EXPECT_EQ(in.index, 0);
  EXPECT_TRUE(tfjs::parse_input_ref("a/b:2", &in, &control).value());
  EXPECT_EQ(in.node, "a/b");
  EXPECT_EQ(in.index, 2);
  EXPECT_FALSE(tfjs::parse_input_ref("^c", &in, &control).value());
  EXPECT_EQ(control, "c");
  EXPECT_FALSE(tfjs::parse_input_ref("a:x", &in, &control).is_ok());
  EXPECT_FALSE(tfjs::parse_input_ref("a:", &in, &control).is_ok());
  EXPECT_FALSE(tfjs::parse_input_ref(":1", &in, &control).is_ok());
  EXPECT_FALSE(tfjs::parse_input_ref("", &in, &control).is_ok());
  EXPECT_FALSE(tfjs::parse_input_ref("^", &in, &control).is_ok());
}

TEST(TfjsModelJson, ShapeProtos) {
  using tfjs::Json;
  EXPECT_EQ(tfjs::parse_shape_proto(tfjs::Json::object(), "s").value(), Shape{});
  EXPECT_EQ(
      tfjs::parse_shape_proto(tfjs::Json::parse(R"({"dim":[{"size":"1"},{"size":"-1"},{}]})"), "s")
          .value(),
      (Shape{1, -1, 0}));
  EXPECT_FALSE(
      tfjs::parse_shape_proto(tfjs::Json::parse(R"({"dim":[{"size":"-2"}]})"), "s").is_ok());
  EXPECT_EQ(
      tfjs::parse_shape_proto(tfjs::Json::parse(R"({"unknownRank":true})"), "s").status().code(),
      StatusCode::kUnimplemented);
}

TEST(TfjsShardPaths, Resolution) {
  test::TempDir dir;
  std::ofstream(dir.path() / "a.bin") << "x";
  std::filesystem::create_directories(dir.path() / "sub");
  std::ofstream(dir.path() / "sub" / "b.bin") << "x";
  const auto root = std::filesystem::canonical(dir.path());
  EXPECT_EQ(tfjs::resolve_shard_path(root, "a.bin").value(), root / "a.bin");
  EXPECT_EQ(tfjs::resolve_shard_path(root, "sub/b.bin").value(), root / "sub" / "b.bin");
  EXPECT_EQ(tfjs::resolve_shard_path(root, "./sub/./b.bin").value(), root / "sub" / "b.bin");
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "").is_ok());
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "..").is_ok());
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "sub/..").is_ok());
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "sub\\..\\a.bin").is_ok());
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "/etc/passwd").is_ok());
  EXPECT_FALSE(tfjs::resolve_shard_path(root, ".").is_ok());    // the folder itself
  EXPECT_FALSE(tfjs::resolve_shard_path(root, "sub").is_ok());  // not a regular file
  EXPECT_EQ(tfjs::resolve_shard_path(root, "missing.bin").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace toonbox
