// The ncnn .bin reader: every storage tag ModelBinFromDataReader::load knows, its
// 4-byte alignment, and the refusals of files that do not match their params.
#include <gtest/gtest.h>

#include <filesystem>

#include "import/ncnn/ncnn_weights.h"
#include "unit/ncnn_test_util.h"

namespace toonbox {
namespace {

using ncnn::WeightRead;
using ncnn::WeightStorage;
using test::NcnnBytes;

TEST(NcnnWeights, ReadsEveryStorageTagWithItsPadding) {
  NcnnBytes b;
  b.raw({1.5f, -2.f, 3.25f});                                // type 1: no tag
  b.tagged_f32({0.5f, 0.25f, -8.f});                         // tag 0
  b.tagged_f16({1.f, -0.5f, 65504.f});                       // 3 halves + 2 bytes of padding
  b.tagged_i8({-128, -1, 0, 1, 127});                        // 5 bytes + 3 of padding
  b.tagged_f32({7.f, -7.f}, 0x0002C056);                     // "raw data with extra scaling"
  b.tagged_table({0.f, 10.f, 20.f, 30.f}, {3, 0, 2, 2, 1});  // any other tag: a table
  b.tagged_table({0.f, 1.f, 2.f}, {2, 1}, 0xdeadbeef);       // (any non-zero tag)
  ncnn::WeightReader r(b.str(), "w.bin");
  const std::vector<std::pair<ncnn::WeightRead, std::pair<ncnn::WeightStorage, std::vector<float>>>>
      want = {
          {{3, 1, "a"}, {ncnn::WeightStorage::kRawFloat32, {1.5f, -2.f, 3.25f}}},
          {{3, 0, "b"}, {ncnn::WeightStorage::kFloat32, {0.5f, 0.25f, -8.f}}},
          {{3, 0, "c"}, {ncnn::WeightStorage::kFloat16, {1.f, -0.5f, 65504.f}}},
          {{5, 0, "d"}, {ncnn::WeightStorage::kInt8, {-128.f, -1.f, 0.f, 1.f, 127.f}}},
          {{2, 0, "e"}, {ncnn::WeightStorage::kScaledFloat32, {7.f, -7.f}}},
          {{5, 0, "f"}, {ncnn::WeightStorage::kTable, {30.f, 0.f, 20.f, 20.f, 10.f}}},
          {{2, 0, "g"}, {ncnn::WeightStorage::kTable, {2.f, 1.f}}},
      };
  for (const auto& [read, expect] : want) {
    auto a = r.read(read, "layer 'x'", {});
    ASSERT_TRUE(a.is_ok()) << read.what << ": " << a.status().to_string();
    EXPECT_EQ(a->storage, expect.first) << read.what;
    EXPECT_EQ(a->values, expect.second) << read.what;
  }
  EXPECT_EQ(r.left(), 0u);
  EXPECT_EQ(r.offset(), b.size());
}

TEST(NcnnWeights, AShortFileSaysWhichArrayAndByHowMuch) {
  NcnnBytes b;
  b.tagged_f16({1.f, 2.f, 3.f, 4.f});  // 4 + 8 bytes
  b.u32(0x01306B47).u8(0).u8(0);       // the next fp16 array's tag and 2 of its bytes
  ncnn::WeightReader r(b.str(), "w.bin");
  ASSERT_TRUE(r.read({4, 0, "weights"}, "layer 'a'", {}).is_ok());
  const std::vector<ncnn::WeightRead> later = {{10, 1, "bias"}, {6, 0, "weights"}};
  auto a = r.read({3, 0, "weights"}, "layer 'b' (Convolution, line 7)", later);
  ASSERT_FALSE(a.is_ok());
  // This array: 4 + 8 bytes, 6 there; later: 40 raw bytes and 4 + 12 as fp16.
  EXPECT_EQ(a.status().message(),
            "w.bin: layer 'b' (Convolution, line 7): its weights (3 values, float16) need 12 bytes "
            "at offset 12, got 6 left: the file is 62 bytes short of what the params need "
            "(counting the later tagged arrays as float16)");
  EXPECT_EQ(a.status().code(), StatusCode::kDataLoss);
}

TEST(NcnnWeights, AHugeCountIsRefusedBeforeAnythingIsAllocated) {
  NcnnBytes b;
  b.tagged_f32({1.f});
  ncnn::WeightReader r(b.str(), "w.bin");
  auto a = r.read({int64_t{1} << 38, 0, "weights"}, "layer 'a'", {});
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("need 1099511627780 bytes at offset 0, got 8 left"),
            std::string::npos)
      << a.status().message();
  auto z = r.read({0, 0, "weights"}, "layer 'a'", {});
  ASSERT_FALSE(z.is_ok());
  EXPECT_NE(z.status().message().find("got 0 weights values, expected a positive count"),
            std::string::npos);
}

// A 1x1 convolution, 2 -> 1 channels, with bias: 2 weights then 1 bias.
std::string conv_param(int weight_data_size = 2) {
  return "7767517\n2 2\nInput in 0 1 data\nConvolution conv 1 1 data out 0=1 1=1 5=1 6=" +
         std::to_string(weight_data_size) + "\n";
}

TEST(NcnnWeights, ImportReadsTaggedWeightsIntoTheGraph) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1.f, 2.f, 3.f, 4.f});
  const std::pair<const char*, std::string> bins[] = {
      {"fp32", NcnnBytes().tagged_f32({0.5f, -1.f}).raw({0.25f}).str()},
      {"fp16", NcnnBytes().tagged_f16({0.5f, -1.f}).raw({0.25f}).str()},
      {"table", NcnnBytes().tagged_table({-1.f, 0.5f}, {1, 0}).raw({0.25f}).str()},
  };
  for (const auto& [what, bin] : bins) {
    auto y = test::run_ncnn(conv_param(), bin, x);
    ASSERT_TRUE(y.is_ok()) << what << ": " << y.status().to_string();
    // out = 0.5 * channel0 - channel1 + 0.25
    EXPECT_EQ((*y)[0].shape(), (Shape{1, 1, 1, 2})) << what;
    EXPECT_FLOAT_EQ((*y)[0].data<float>()[0], 0.5f * 1 - 3 + 0.25f) << what;
    EXPECT_FLOAT_EQ((*y)[0].data<float>()[1], 0.5f * 2 - 4 + 0.25f) << what;
  }
}

TEST(NcnnWeights, ImportRefusesBinsThatDoNotMatchTheParams) {
  const std::string good = NcnnBytes().tagged_f32({0.5f, -1.f}).raw({0.25f}).str();
  struct Case {
    const char* what;
    std::string param, bin;
    const char* message;
  };
  const Case cases[] = {
      {"short", conv_param(), good.substr(0, good.size() - 3),
       "model.bin: layer 'conv' (Convolution, line 4): its bias (1 values, float32 (untagged)) "
       "need "
       "4 bytes at offset 12, got 1 left: the file is 3 bytes short"},
      {"long", conv_param(), good + "12345678", "model.bin: got 24 bytes, expected 16"},
      {"int8 for a float layer", conv_param(), NcnnBytes().tagged_i8({1, 2}).raw({0.25f}).str(),
       "stored as int8 (tag 0x000D4B38) but the layer has no int8_scale_term"},
      {"bad weight count", conv_param(-5), good,
       "weight_data_size (6): got -5, expected a positive multiple of 1"},
      {"huge weight count", conv_param(2000000000), good,
       "its weights (2000000000 values, float32) need 8000000004 bytes at offset 0, got 16 left"},
      {"empty bin", conv_param(), "", "need 12 bytes at offset 0, got 0 left"},
  };
  for (const Case& c : cases) {
    test::NcnnFiles files(c.param, c.bin);
    auto g = files.import();
    ASSERT_FALSE(g.is_ok()) << c.what;
    EXPECT_NE(g.status().message().find(c.message), std::string::npos)
        << c.what << ": got \"" << g.status().message() << "\"";
  }
  test::NcnnFiles missing(conv_param(), good);
  std::filesystem::remove(missing.bin);
  auto g = missing.import();
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace toonbox
