// A model's pixel contract (models/model_contract.h) end to end: the registry's entries,
// the one image <-> tensor conversion (layout, channel order, range), detection for
// unknown models, what `models import` records and how a model reached by name or by path
// gets its contract. These are the checks that would have caught White-box being fed RGB:
// each one looks at which channel lands where, not only at arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <filesystem>

#include "engine/device_select.h"
#include "import/model_file.h"
#include "models/model_resolver.h"
#include "models/registry.h"
#include "pipeline/model_runner.h"
#include "pipeline/image_tensor.h"
#include "pipeline/model_loader.h"
#include "unit/image_test_util.h"
#include "unit/onnx_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::import;
using namespace toonbox::graph;

namespace toonbox {
namespace {

using image_test::TempDir;

// A 3x2 image whose every pixel and channel is distinct.
Image distinct_image() {
  Image img;
  img.width = 3;
  img.height = 2;
  for (int i = 0; i < 6; ++i)
    for (int c = 0; c < 3; ++c) img.rgb.push_back(static_cast<uint8_t>(10 + 40 * c + 5 * i));
  return img;
}

TEST(ModelContract, RegistryRecordsTheAuthorsContracts) {
  const KnownModel* wb = find_known_model("whitebox");
  ASSERT_NE(wb, nullptr);
  EXPECT_EQ(wb->contract.channels, ChannelOrder::kBgr) << "cartoonize.py reads and writes with OpenCV";
  EXPECT_EQ(wb->contract.processing.max_short_side, 720);
  EXPECT_EQ(wb->contract.input_range.lo, -1.f);
  EXPECT_EQ(find_known_model("whitebox-uint8")->contract.channels, ChannelOrder::kBgr);
  const KnownModel* ag = find_known_model("animeganv3-cute");
  ASSERT_NE(ag, nullptr);
  EXPECT_EQ(ag->contract.channels, ChannelOrder::kRgb) << "test_by_onnx.py converts BGR to RGB";
  EXPECT_EQ(ag->contract.size_multiple, 16);
  EXPECT_EQ(ag->contract.processing.min_side, 256);
  for (const char* detector : {"yunet", "retinaface"}) {
    ASSERT_NE(find_known_model(detector), nullptr);
    EXPECT_EQ(find_known_model(detector)->role, ModelRole::kFaceDetector);
    EXPECT_EQ(find_known_model(detector)->contract.channels, ChannelOrder::kBgr);
  }
  for (const KnownModel& k : known_models()) EXPECT_STRNE(k.contract_source, "") << k.name;
}

TEST(ModelContract, NhwcBgrPutsBlueFirstAndMapsTheRange) {
  const Image img = distinct_image();
  ImageContract c;
  c.layout = Layout::kNHWC;
  c.channels = ChannelOrder::kBgr;
  c.input_range = {-1.f, 1.f};
  c.size_multiple = 1;
  const Tensor t = image_to_tensor(img, c);
  ASSERT_EQ(t.shape(), (Shape{1, 2, 3, 3}));
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < 3; ++k) {
      const int rgb = 2 - k;  // tensor channel 0 is blue
      EXPECT_NEAR(t.data<float>()[i * 3 + k], img.rgb[i * 3 + rgb] / 127.5f - 1.f, 1e-6) << i << "," << k;
    }
}

TEST(ModelContract, NchwRgbIsPlanarAndKeepsTheOrder) {
  const Image img = distinct_image();
  ImageContract c;
  c.layout = Layout::kNCHW;
  c.channels = ChannelOrder::kRgb;
  c.input_range = {0.f, 255.f};
  c.size_multiple = 1;
  const Tensor t = image_to_tensor(img, c);
  ASSERT_EQ(t.shape(), (Shape{1, 3, 2, 3}));
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < 3; ++k) EXPECT_FLOAT_EQ(t.data<float>()[k * 6 + i], img.rgb[i * 3 + k]);
}

TEST(ModelContract, PaddingAndMarginReplicateTheEdge) {
  const Image img = distinct_image();
  ImageContract c;
  c.size_multiple = 4;
  c.input_range = {0.f, 255.f};
  const Tensor t = image_to_tensor(img, c, /*margin=*/1);
  // 2 + 2 -> 4 rows, 3 + 2 -> 5 -> 8 columns.
  ASSERT_EQ(t.shape(), (Shape{1, 4, 8, 3}));
  auto at = [&](int y, int x, int ch) { return t.data<float>()[(y * 8 + x) * 3 + ch]; };
  EXPECT_FLOAT_EQ(at(0, 0, 0), img.rgb[0]);                      // margin corner = pixel (0,0)
  EXPECT_FLOAT_EQ(at(1, 1, 2), img.rgb[2]);                      // the image starts at (1,1)
  EXPECT_FLOAT_EQ(at(3, 7, 1), img.rgb[(1 * 3 + 2) * 3 + 1]);    // padding = the last pixel
}

TEST(ModelContract, OutputPixelsReadTheModelsOrderBackToRgb) {
  ImageContract c;
  c.layout = Layout::kNCHW;
  c.channels = ChannelOrder::kBgr;
  c.output_range = {0.f, 1.f};
  Tensor t(DType::kFloat32, {2, 3, 1, 2});  // two batch items, planar B, G, R
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i) / 12.f;
  auto px = OutputPixels::of(t, 1, c);
  ASSERT_TRUE(px.is_ok()) << px.status().to_string();
  // Item 1 starts at 6; its R plane is the third (index 4..5).
  EXPECT_FLOAT_EQ(px->at(0, 1, 0), (6 + 4 + 1) / 12.f * 255.f);
  EXPECT_FLOAT_EQ(px->at(0, 0, 2), (6 + 0) / 12.f * 255.f);
  const Image img = output_to_image(*px, 0, 0, 2, 1);
  EXPECT_EQ(img.rgb[0], static_cast<uint8_t>(std::lround(10 / 12.f * 255.f)));
  // A one-channel output reads as grey; a 4-D tensor of 5 channels is not an image.
  Tensor grey(DType::kFloat32, {1, 1, 1, 1});
  grey.data<float>()[0] = 0.5f;
  auto g = OutputPixels::of(grey, 0, c);
  ASSERT_TRUE(g.is_ok());
  EXPECT_FLOAT_EQ(g->at(0, 0, 0), g->at(0, 0, 2));
  EXPECT_FALSE(OutputPixels::of(Tensor(DType::kFloat32, {1, 5, 2, 2}), 0, c).is_ok());
  EXPECT_FALSE(OutputPixels::of(t, 2, c).is_ok()) << "item out of range";
}

// A model that keeps only its first channel (and zeroes the others): fed through a BGR
// contract, what survives is the image's blue; through RGB, its red. This is the check an
// oracle fed the same tensor cannot make.
TEST(ModelContract, TheContractDecidesWhichChannelAModelSees) {
  ModelSource m;
  m.name = "first-channel";
  Graph& g = m.graph;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  const int keep = g.add_constant("keep", Tensor::from_vector<float>({3}, {1.f, 0.f, 0.f}));
  g.add_output(g.add_node(OpKind::kBinary, "mul", {x, keep}, BinaryParams{BinaryOp::kMul}));
  m.contract.size_multiple = 1;
  Image img;
  img.width = img.height = 4;
  for (int i = 0; i < 16; ++i) img.rgb.insert(img.rgb.end(), {200, 100, 30});
  for (ChannelOrder order : {ChannelOrder::kRgb, ChannelOrder::kBgr}) {
    ModelSource source = m;
    source.contract.channels = order;
    ModelRunner c(std::move(source), select_device("cpu", "fp32").value());
    auto out = c.stylize(img);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    // Zero in [-1,1] is 127.5: the rounded mid-grey.
    const uint8_t* p = &out->rgb[0];
    if (order == ChannelOrder::kRgb) {
      EXPECT_EQ(p[0], 200);
      EXPECT_EQ(p[2], 128);
    } else {
      EXPECT_EQ(p[2], 30) << "the model's first channel is the image's blue";
      EXPECT_EQ(p[0], 128);
    }
    EXPECT_EQ(p[1], 128);
  }
}

TEST(ModelContract, ParsersNameWhatTheyAccept) {
  EXPECT_EQ(*parse_channel_order("BGR"), ChannelOrder::kBgr);
  EXPECT_FALSE(parse_channel_order("grb").is_ok());
  EXPECT_EQ(parse_value_range("0,255")->hi, 255.f);
  EXPECT_FALSE(parse_value_range("1,0").is_ok());
  EXPECT_FALSE(parse_value_range("0,1x").is_ok());
  EXPECT_FALSE(parse_value_range("nan,1").is_ok());
  EXPECT_EQ(*parse_layout("nchw"), Layout::kNCHW);
  EXPECT_NE(describe_contract(find_known_model("whitebox")->contract).find("BGR"), std::string::npos);
}

// Writes a one-node ONNX model: Tanh over an NCHW RGB input (or `op` instead of Tanh).
std::string write_onnx(const TempDir& dir, const std::string& name, const std::string& op = "Tanh") {
  test::OnnxWriter w;
  w.input("x", {1, 3, -1, -1}).output("y");
  w.node(op, {"x"}, {"y"});
  const std::string path = dir.file(name);
  EXPECT_TRUE(w.save(path));
  return path;
}

class ModelsDir {
 public:
  ModelsDir() { ::setenv("TOONBOX_MODELS", dir_.path().c_str(), 1); }
  ~ModelsDir() { ::unsetenv("TOONBOX_MODELS"); }

 private:
  TempDir dir_;
};

TEST(ModelContract, UnknownModelsAreReadOffTheGraphThenOverridden) {
  TempDir dir;
  ModelsDir models;
  const std::string path = write_onnx(dir, "tanh.onnx");
  auto resolved = resolve_model(path);
  ASSERT_TRUE(resolved.is_ok()) << resolved.status().to_string();
  EXPECT_EQ(resolved->known, nullptr);
  auto graph = import_model_file(resolved->entry_path);
  ASSERT_TRUE(graph.is_ok());
  std::string how;
  auto c = model_contract(*resolved, *graph, {}, ContractDefaults{{0.f, 1.f}, 16}, &how);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->layout, Layout::kNCHW);
  EXPECT_EQ(c->channels, ChannelOrder::kRgb);
  EXPECT_EQ(c->output_range.lo, -1.f) << "the output is a Tanh";
  EXPECT_NE(how.find("Tanh"), std::string::npos) << how;
  ContractOverrides flags;
  flags.channels = ChannelOrder::kBgr;
  c = model_contract(*resolved, *graph, flags, ContractDefaults{}, &how);
  EXPECT_EQ(c->channels, ChannelOrder::kBgr);
  EXPECT_NE(how.find("command line"), std::string::npos) << how;
  // Identity: nothing to read the range from, so the caller's fallback.
  const std::string plain = write_onnx(dir, "identity.onnx", "Identity");
  auto r2 = resolve_model(plain);
  ASSERT_TRUE(r2.is_ok());
  c = model_contract(*r2, *import_model_file(plain), {}, ContractDefaults{{0.f, 255.f}, 8}, &how);
  EXPECT_EQ(c->output_range.hi, 255.f);
  EXPECT_EQ(c->size_multiple, 8);
}

TEST(ModelContract, ImportRecordsTheContractAndTheNameBringsItBack) {
  TempDir dir;
  ModelsDir models;
  const std::string path = write_onnx(dir, "mine.onnx");
  ImportOptions o;
  o.name = "mine";
  o.contract.channels = ChannelOrder::kBgr;
  o.contract.output_range = ValueRange{0.f, 255.f};
  auto installed = import_model(path, o);
  ASSERT_TRUE(installed.is_ok()) << installed.status().to_string();
  EXPECT_EQ(installed->recorded.channels, ChannelOrder::kBgr);
  auto source = load_model_source("mine", nullptr);
  ASSERT_TRUE(source.is_ok()) << source.status().to_string();
  EXPECT_EQ(source->contract.channels, ChannelOrder::kBgr);
  EXPECT_EQ(source->contract.output_range.hi, 255.f);
  EXPECT_EQ(source->contract.input_range.hi, 255.f) << "the input range follows the output's";
  EXPECT_NE(source->contract_how.find("recorded"), std::string::npos) << source->contract_how;
  // A flag on the command line still wins over what was recorded.
  ContractOverrides flags;
  flags.channels = ChannelOrder::kRgb;
  EXPECT_EQ(load_model_source("mine", nullptr, flags)->contract.channels, ChannelOrder::kRgb);
}

TEST(ModelContract, ADetectorIsNotAStyle) {
  TempDir dir;
  ModelsDir models;
  // An unknown model imported as a style, then a manifest that says it is a detector (as
  // a known detector's does).
  ASSERT_TRUE(import_model(write_onnx(dir, "d.onnx"), ImportOptions{"det", false, {}}).is_ok());
  const std::string manifest = std::string(std::getenv("TOONBOX_MODELS")) + "/det/toonbox-model.json";
  std::ifstream in(manifest);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"style\"");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 7, "\"face-detector\"");
  std::ofstream(manifest) << text;
  auto loaded = load_model_source("det", nullptr);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("face detector, not a style"), std::string::npos)
      << loaded.status().message();
}

TEST(ModelContract, FormatsToonboxCannotReadAreNamed) {
  TempDir dir;
  for (const char* name : {"frozen.pb", "weights.pth", "model.h5", "notes.txt"}) {
    std::ofstream(dir.file(name)) << "x";
    auto r = identify_model_file(dir.file(name));
    ASSERT_FALSE(r.is_ok()) << name;
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("ONNX"), std::string::npos) << r.status().message();
  }
  EXPECT_NE(identify_model_file(dir.file("weights.pth")).status().message().find("pickle"), std::string::npos);
  EXPECT_NE(identify_model_file(dir.file("frozen.pb")).status().message().find("not supported"), std::string::npos);
  EXPECT_EQ(identify_model_file(dir.path()).status().code(), StatusCode::kNotFound) << "a folder without model.json";
}

}  // namespace
}  // namespace toonbox
