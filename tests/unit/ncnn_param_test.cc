// The ncnn .param readers: the text form, the binary .param.bin with its .id.h, and
// their refusals of damaged files (each naming the file, line or offset, and layer).
#include <gtest/gtest.h>

#include <random>

#include "import/ncnn/ncnn_param.h"
#include "unit/ncnn_test_util.h"

using namespace toonbox::compile;

namespace toonbox {
namespace {

using ncnn::Net;
using test::NcnnBytes;

Result<ncnn::Net> text(const std::string& s) { return ncnn::parse_param_text(s, "t.param"); }

// The message of a failed parse, or "" (then the test's substring check fails visibly).
std::string error_of(const Result<ncnn::Net>& r) { return r.is_ok() ? "" : r.status().message(); }

constexpr const char* kSmall =
    "7767517\n"
    "3 4\n"
    "Input            in    0 1 data 0=8 1=8 2=3\n"
    "Convolution      conv  1 1 data c 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,1.000000e-01\n"
    "Split            sp    1 2 c c1 c2\n";

TEST(NcnnParamText, ReadsLayersBlobsAndParameters) {
  auto net = text(kSmall);
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  ASSERT_EQ(net->layers.size(), 3u);
  ASSERT_EQ(net->blobs.size(), 4u);
  const ncnn::Layer& conv = net->layers[1];
  EXPECT_EQ(conv.type, "Convolution");
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.line, 4);
  EXPECT_EQ(conv.bottoms, std::vector<int>{0});
  EXPECT_EQ(conv.tops, std::vector<int>{1});
  EXPECT_EQ(*conv.params.get_int(0, 0, ""), 4);
  EXPECT_EQ(*conv.params.get_int(11, 77, ""), 77);  // absent: the default
  EXPECT_EQ(*conv.params.get_floats(10, ""), std::vector<float>{0.1f});
  EXPECT_EQ(net->layers[2].tops, (std::vector<int>{2, 3}));
  EXPECT_EQ(net->blobs[1].producer, 1);
  EXPECT_EQ(net->blobs[1].consumers, std::vector<int>{2});
  EXPECT_EQ(net->layers[1].where(), "layer 'conv' (Convolution, line 4)");
}

TEST(NcnnParamText, ReadsArraysAndStrings) {
  auto net = text(
      "7767517\n1 1\n"
      "Input in 0 1 data 0=1,-2,3 1=0.5,2.5e-1 2=abc,d 3=\"two words\" -23304=2,1,0.5 5=\"q\"\n");
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  const ncnn::ParamDict& p = net->layers[0].params;
  EXPECT_EQ(*p.get_ints(0, ""), (std::vector<int>{1, -2, 3}));
  EXPECT_EQ(*p.get_floats(1, ""), (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(*p.get_string(2, ""), "abc,d");
  EXPECT_EQ(*p.get_string(3, ""), "two words");
  EXPECT_EQ(*p.get_string(5, ""), "q");
  // A counted array types each element by its own spelling, as ncnn does: reading it
  // as floats refuses the int 1 (ncnn would read its bits as 1.4e-45).
  auto mixed = p.get_floats(4, "L");
  ASSERT_FALSE(mixed.is_ok());
  EXPECT_NE(mixed.status().message().find("got int 1, expected a float"), std::string::npos);
}

TEST(NcnnParamText, ZeroReadsAsEitherTypeOtherValuesMustMatch) {
  auto net = text("7767517\n1 1\nInput in 0 1 data 0=0 1=0.0 2=3 3=0.5\n");
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  const ncnn::ParamDict& p = net->layers[0].params;
  EXPECT_EQ(*p.get_float(0, 9.f, ""), 0.f);
  EXPECT_EQ(*p.get_int(1, 9, ""), 0);
  auto f = p.get_float(2, 0.f, "layer 'in'");
  ASSERT_FALSE(f.is_ok());
  EXPECT_EQ(f.status().message(),
            "layer 'in': parameter 2: got int 3, expected a float (write it with a '.', as 3.0)");
  auto i = p.get_int(3, 0, "layer 'in'");
  ASSERT_FALSE(i.is_ok());
  EXPECT_NE(i.status().message().find("got float 0.5"), std::string::npos);
  EXPECT_FALSE(p.get_ints(2, "").is_ok());  // a scalar is not an array
}

struct BadText {
  const char* what;
  std::string file;
  const char* message;  // a substring of the error
};

TEST(NcnnParamText, RefusesDamagedFilesWithWhereAndWhat) {
  const std::string head = "7767517\n2 2\nInput in 0 1 data\n";
  const BadText cases[] = {
      {"empty", "", "got the end of the file, expected the magic number"},
      {"magic", "7767516\n1 1\n", "line 1: got magic 7767516, expected 7767517"},
      {"zero layers", "7767517\n0 1\n", "got 0 layers, expected 1 to 100000"},
      {"huge layer count", "7767517\n2147483647 1\n",
       "got 2147483647 layers, expected 1 to 100000"},
      {"negative blobs", "7767517\n1 -1\n", "got -1 blobs, expected 1 to 200000"},
      {"count not a number", "7767517\n1 x\n", "got 'x', expected the blob count (an integer)"},
      {"fewer layers", head, "line 4: got 1 layers, expected 2 (the header's count)"},
      {"more layers", "7767517\n1 1\nInput in 0 1 data\nInput in2 0 1 d2\n",
       "line 4: got more than the 1 layers the header declares: 'Input'"},
      {"more blobs", "7767517\n2 1\nInput in 0 1 data\nSplit s 1 1 data d2\n",
       "output blob 'd2' is blob 2, expected at most 1 (the header's blob count)"},
      {"unknown input blob", head + "ReLU r 1 1 nope out\n",
       "line 4: layer 'r' (ReLU, line 4): input blob 'nope' is not produced by an earlier layer"},
      {"blob produced twice", head + "ReLU r 1 1 data data\n",
       "output blob 'data' is already produced by layer 'in' (Input, line 3)"},
      {"huge output count", "7767517\n1 1\nInput in 0 99999 data\n",
       "got 99999 outputs, expected 0 to 4096"},
      {"negative input count", "7767517\n1 1\nInput in -1 1 data\n",
       "got -1 inputs, expected 0 to 4096"},
      {"param id", head + "ReLU r 1 1 data o 32=1\n", "got parameter id 32, expected 0 to 31"},
      {"array id", head + "ReLU r 1 1 data o -23332=1,1\n",
       "got parameter id 32, expected 0 to 31"},
      {"value too long", head + "ReLU r 1 1 data o 0=1.00000000000001\n",
       "got the 16-character value '1.00000000000001', expected at most 15 characters"},
      {"bad float", head + "ReLU r 1 1 data o 0=1.5x\n",
       "parameter 0: got '1.5x', expected a float"},
      {"bad int", head + "ReLU r 1 1 data o 0=12a\n", "parameter 0: got '12a', expected an int"},
      {"int overflow", head + "ReLU r 1 1 data o 0=99999999999\n", "expected an int (32-bit)"},
      {"empty value", head + "ReLU r 1 1 data o 0=\n", "got an empty value, expected a number"},
      {"short counted array", head + "ReLU r 1 1 data o -23300=3,1,2\n",
       "got 2 array elements, expected 3"},
      {"long counted array", head + "ReLU r 1 1 data o -23300=1,1,2\n",
       "got more than the 1 array elements its length says"},
      {"huge counted array", head + "ReLU r 1 1 data o -23300=70000,1\n",
       "got array length '70000', expected 0 to 65536"},
      {"mixed array", head + "ReLU r 1 1 data o 0=1,2.5\n",
       "got '2.5', expected an int like the array's first element"},
      {"twice", head + "ReLU r 1 1 data o 0=1 0=2\n", "parameter 0 is given twice"},
      {"unterminated string", head + "ReLU r 1 1 data o 0=\"abc\n",
       "got an unterminated string, expected a closing '\"'"},
      {"not a type", head + "123 r 1 1 data o\n", "got '123', expected a layer type"},
  };
  for (const BadText& c : cases) {
    const std::string msg = error_of(text(c.file));
    EXPECT_NE(msg.find(c.message), std::string::npos) << c.what << ": got \"" << msg << "\"";
    EXPECT_EQ(msg.rfind("t.param: ", 0), 0u) << c.what << ": the file is named first: " << msg;
  }
}

// A .param.bin holding kSmall's first two layers (ncnn2mem's layout).
std::string small_binary() {
  NcnnBytes b;
  b.i32(7767517).i32(2).i32(2);
  b.i32(16).i32(0).i32(1).i32(0);           // Input: no inputs, output blob 0
  b.i32(0).i32(8).i32(2).i32(3).i32(-233);  // 0=8 2=3
  b.i32(6).i32(1).i32(1).i32(0).i32(1);     // Convolution: blob 0 -> blob 1
  b.i32(0).i32(4).i32(6).i32(108);          // 0=4 6=108
  b.i32(-23310).i32(1).f32(0.1f);           // 10 = [0.1]
  b.i32(-23409).i32(5).u8('h').u8('e').u8('l').u8('l').u8('o').pad4();  // 9 = "hello"
  b.i32(-233);
  return b.str();
}

constexpr const char* kSmallIds =
    "#ifndef NCNN_INCLUDE_GUARD_model_id_h\n"
    "namespace model_param_id {\n"
    "const int LAYER_in = 0;\n"
    "const int BLOB_data = 0;\n"
    "const int LAYER_conv = 1;\n"
    "const int BLOB_c = 1;\n"
    "} // namespace model_param_id\n";

TEST(NcnnParamBinary, ReadsLayersWithNamesFromTheIdHeader) {
  auto names = ncnn::parse_id_header(kSmallIds, "model.id.h");
  ASSERT_TRUE(names.is_ok()) << names.status().to_string();
  auto net = ncnn::parse_param_binary(small_binary(), "m.param.bin", &*names);
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  ASSERT_EQ(net->layers.size(), 2u);
  const ncnn::Layer& conv = net->layers[1];
  EXPECT_EQ(conv.type, "Convolution");
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(net->blobs[1].name, "c");
  EXPECT_EQ(*conv.params.get_int(0, 0, ""), 4);
  EXPECT_EQ(*conv.params.get_int(6, 0, ""), 108);
  EXPECT_EQ(*conv.params.get_floats(10, ""), std::vector<float>{0.1f});  // raw bits
  EXPECT_EQ(*conv.params.get_string(9, ""), "hello");
  EXPECT_EQ(conv.where(), "layer 'conv' (Convolution)");
}

TEST(NcnnParamBinary, NamesLayersAndBlobsByIndexWithoutAnIdHeader) {
  auto net = ncnn::parse_param_binary(small_binary(), "m.param.bin", nullptr);
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  EXPECT_EQ(net->layers[1].name, "layer1");
  EXPECT_EQ(net->blobs[1].name, "blob1");
}

TEST(NcnnParamBinary, RefusesDamagedFilesWithOffsetAndWhat) {
  const std::string good = small_binary();
  auto with = [&](size_t at, int32_t v) {
    std::string s = good;
    NcnnBytes b;
    b.i32(v);
    s.replace(at, 4, b.str());
    return s;
  };
  const std::pair<std::string, const char*> cases[] = {
      {good.substr(0, 50), "offset 48: got the end of the file (2 bytes left)"},
      {good.substr(0, good.size() - 4), "a parameter id or -233 (end of parameters)"},
      {good + "xxxx", "got 4 bytes after the 2 layers the header declares, expected none"},
      {with(0, 7767516), "got magic 7767516, expected 7767517"},
      {with(4, 0), "got 0 layers, expected 1 to 100000"},
      {with(4, 1000), "expected at least 16000 for 1000 layers and 2 blobs"},
      {with(8, 1 << 30), "got 1073741824 blobs, expected 1 to 200000"},
      {with(12, 200), "layer 0 ('layer0'): got layer type index 200, expected 0 to 109"},
      {with(12, 256 + 16), "custom layer type 16 (registered by an application"},
      {with(24, 4), "got blob index 4, expected 0 to 1"},
      {with(28, 40), "got parameter id 40, expected 0 to 31"},
      {with(64, 0), "output blob 'blob0' is already produced by layer 'layer0'"},
      {with(60, 1), "input blob 'blob1' is not produced by an earlier layer"},
      {with(100, 300), "got string length 300, expected 0 to 255"},
      {with(88, 70000), "got array length 70000, expected 0 to 65536"},
      {with(88, 1000), "expected 1000 array elements (4000 bytes)"},
  };
  for (const auto& [bytes, message] : cases) {
    auto r = ncnn::parse_param_binary(bytes, "m.param.bin", nullptr);
    const std::string msg = error_of(r);
    EXPECT_NE(msg.find(message), std::string::npos) << message << ": got \"" << msg << "\"";
    EXPECT_EQ(msg.rfind("m.param.bin", 0), 0u) << msg;
  }
}

TEST(NcnnIdHeader, RefusesDuplicatesAndFilesThatAreNotOne) {
  auto dup = ncnn::parse_id_header("const int LAYER_a = 0;\nconst int LAYER_b = 0;\n", "x.id.h");
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(dup.status().message(), "x.id.h: line 2: LAYER index 0 is named twice ('a' and 'b')");
  auto none = ncnn::parse_id_header("hello\n", "x.id.h");
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("got no `const int LAYER_"), std::string::npos);
}

// import_ncnn_model finds the .id.h beside a .param.bin under the names ncnn2mem and
// the shared models use.
TEST(NcnnParamBinary, ImportFindsTheIdHeaderBesideIt) {
  for (const char* id_name : {"model.param.id.h", "model.id.h", "model.param.id.h.txt"}) {
    NcnnBytes p;  // Input -> ReLU
    p.i32(7767517).i32(2).i32(2);
    p.i32(16).i32(0).i32(1).i32(0).i32(-233);
    p.i32(26).i32(1).i32(1).i32(0).i32(1).i32(-233);
    test::NcnnFiles files(p.str(), "", true);
    test::write_text(files.dir.file(id_name),
                     "const int LAYER_in = 0;\nconst int BLOB_pixels = 0;\nconst int LAYER_r = 1;\n"
                     "const int BLOB_out = 1;\n");
    auto g = files.import();
    ASSERT_TRUE(g.is_ok()) << g.status().to_string();
    EXPECT_EQ(g->value(g->inputs()[0]).name, "pixels") << id_name;
    EXPECT_EQ(g->value(g->outputs()[0]).name, "out") << id_name;
  }
}

}  // namespace
}  // namespace toonbox

namespace toonbox {
namespace {

// Randomly damaged copies of a small model (text param, binary param, weights): every
// import returns a result or an error; none crashes, hangs or allocates wildly.
TEST(NcnnCorruption, RandomlyDamagedFilesAreRefusedOrRead) {
  const std::string param =
      "7767517\n8 9\nInput in 0 1 data 2=2\nConvolution c 1 1 data x 0=4 1=3 4=1 5=1 6=72 9=2 "
      "-23310=1,1.000000e-01\nSplit sp 1 2 x a b\nPooling gap 1 1 b g 0=1 4=1\nInnerProduct fc 1 1 "
      "g s 0=4 1=1 2=16 9=4\nBinaryOp mul 2 1 a s y 0=2\nDeconvolution up 1 1 y z 0=2 1=2 3=2 5=1 "
      "6=32\nCrop cr 1 1 z out -23309=2,1,1 -23310=2,-1,-1 -23311=2,-2,-1\n";
  NcnnBytes bin;
  bin.tagged_f16(std::vector<float>(72, 0.25f)).raw({0.1f, 0.2f, 0.3f, 0.4f});
  bin.tagged_f32(std::vector<float>(16, -0.5f)).raw({0.f, 1.f, 2.f, 3.f});
  bin.tagged_table({1.f, -1.f}, std::vector<uint8_t>(32, 1)).raw({0.5f, -0.5f});
  NcnnBytes pbin;  // Input -> Padding -> InstanceNorm (binary form)
  pbin.i32(7767517).i32(3).i32(3);
  pbin.i32(16).i32(0).i32(1).i32(0).i32(2).i32(2).i32(-233);
  pbin.i32(43).i32(1).i32(1).i32(0).i32(1).i32(0).i32(1).i32(4).i32(2).i32(-233);
  pbin.i32(53).i32(1).i32(1).i32(1).i32(2).i32(0).i32(2).i32(1).f32(1e-5f).i32(-233);
  const std::string pbin_weights = NcnnBytes().raw({1.f, 2.f}).raw({0.f, 1.f}).str();
  {
    test::NcnnFiles ok_text(param, bin.str());
    auto g = ok_text.import();
    ASSERT_TRUE(g.is_ok()) << "the undamaged text model: " << g.status().to_string();
    test::NcnnFiles ok_binary(pbin.str(), pbin_weights, true);
    auto h = ok_binary.import();
    ASSERT_TRUE(h.is_ok()) << "the undamaged binary model: " << h.status().to_string();
  }
  std::mt19937 rng(20240607);
  int refused = 0, read = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int which = trial % 3;  // damage the text param, the binary param or the weights
    std::string p = which == 1 ? pbin.str() : param;
    std::string w = which == 1 ? pbin_weights : bin.str();
    std::string& victim = which == 2 ? w : p;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !victim.empty(); ++e) {
      const size_t at = rng() % victim.size();
      switch (rng() % 3) {
        case 0:
          victim[at] = static_cast<char>(rng());
          break;
        case 1:
          victim.erase(at, 1 + rng() % 8);
          break;
        default:
          victim.insert(at, 1, which == 0 ? "0123456789-=, \n.eA\""[rng() % 19] : char(rng()));
      }
    }
    test::NcnnFiles files(p, w, which == 1);
    auto g = files.import();
    if (!g.is_ok()) {
      ++refused;
      EXPECT_FALSE(g.status().message().empty());
      continue;
    }
    ++read;
    auto s = specialize(*g, {{1, 2, 6, 7}});  // may refuse shapes; must not crash
    (void)s;
  }
  std::printf("[ measure ] 300 damaged ncnn models: %d refused, %d read\n", refused, read);
  EXPECT_GT(refused, 150);
}

}  // namespace
}  // namespace toonbox
