// 8-bit pixels converted on the GPU (Session::run_pixels, kernels/pixels.cu) give the same
// bytes as the host conversion (fill_image_tensor / output_to_image) for every contract
// the pipeline meets: NHWC and NCHW, RGB and BGR models, input and output ranges, a
// margin, padding to a size multiple, batches, a 1-channel output, fp32 and fp16 (skipped
// without a GPU). The models are elementwise with a different weight per channel, so a
// swapped channel, a shifted pixel or a wrong range shows in the output; the built-in
// style (convolutions, margin) checks a real model. Exact equality: the tensors the
// model sees are bit-identical on both paths, so everything after them is too.
#include "unit/cuda_test_util.h"

#include "backend/cpu/cpu_backend.h"
#include "engine/session.h"
#include "pipeline/builtin_style.h"
#include "pipeline/image_tensor.h"
#include "pipeline/model_loader.h"
#include "pipeline/model_runner.h"
#include "pipeline/upscale/upscaler.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::graph;

namespace toonbox {
namespace {

using cuda_test::cuda_env;

DeviceSelection cuda_selection(Precision p) {
  DeviceSelection d;
  d.backend = std::shared_ptr<Backend>(cuda_env().backend.get(), [](Backend*) {});  // env owns it
  d.precision = p;
  d.is_gpu = true;
  return d;
}

Image pattern(int w, int h, int seed) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  uint32_t s = 2654435761u * static_cast<uint32_t>(seed + 1);
  for (uint8_t& b : img.rgb) {
    s = s * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(s >> 24);
  }
  return img;
}

// y = tanh(x * k_c + 0.1) per channel c (k = 0.9, -1.3, 0.4), or its channel mean for
// a grey output: every channel distinguishable, the output in [-1, 1].
ModelSource elementwise_model(Layout layout, ChannelOrder order, ValueRange in, ValueRange out,
                              int margin, int multiple, bool grey) {
  const bool nhwc = layout == Layout::kNHWC;
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, nhwc ? Shape{1, -1, -1, 3} : Shape{1, 3, -1, -1});
  Tensor k(DType::kFloat32, nhwc ? Shape{1, 1, 1, 3} : Shape{1, 3, 1, 1});
  k.data<float>()[0] = 0.9f;
  k.data<float>()[1] = -1.3f;
  k.data<float>()[2] = 0.4f;
  Tensor b(DType::kFloat32, Shape{1});
  b.data<float>()[0] = 0.1f;
  const int mul = g.add_node(OpKind::kBinary, "mul", {x, g.add_constant("k", std::move(k))}, BinaryParams{BinaryOp::kMul});
  const int add = g.add_node(OpKind::kBinary, "add", {mul, g.add_constant("b", std::move(b))}, BinaryParams{BinaryOp::kAdd});
  int y = g.add_node(OpKind::kUnary, "tanh", {add}, UnaryParams{UnaryOp::kTanh});
  if (grey) y = g.add_node(OpKind::kReduce, "grey", {y}, ReduceParams{ReduceOp::kMean, {nhwc ? 3 : 1}, true});
  g.add_output(y);
  ModelSource m;
  m.name = "elementwise";
  m.graph = std::move(g);
  m.contract.layout = layout;
  m.contract.channels = order;
  m.contract.input_range = in;
  m.contract.output_range = out;
  m.contract.size_multiple = multiple;
  m.margin = margin;
  return m;
}

struct Variant {
  const char* name;
  Layout layout;
  ChannelOrder order;
  ValueRange in, out;
  int margin, multiple;
  bool grey;
};

const Variant kVariants[] = {
    {"nhwc_rgb_pm1", Layout::kNHWC, ChannelOrder::kRgb, {-1, 1}, {-1, 1}, 0, 8, false},
    {"nchw_bgr_0_255_in", Layout::kNCHW, ChannelOrder::kBgr, {0, 255}, {-1, 1}, 0, 4, false},
    {"nhwc_bgr_margin", Layout::kNHWC, ChannelOrder::kBgr, {0, 1}, {-1, 1}, 5, 8, false},
    {"nchw_rgb_margin_out01", Layout::kNCHW, ChannelOrder::kRgb, {-1, 1}, {-1, 0.5f}, 3, 16, false},
};

// The two paths on the same runner (same compiled executables), `n` images of w x h.
void expect_same_bytes(ModelRunner& runner, int w, int h, int n, const std::string& what) {
  std::vector<Image> images;
  for (int i = 0; i < n; ++i) images.push_back(pattern(w, h, i));
  std::vector<const Image*> inputs;
  for (const Image& im : images) inputs.push_back(&im);
  StylizeOptions whole;
  whole.tile_size = -1;
  runner.set_pixels_on_device(false);
  auto host = runner.stylize_batch(inputs, nullptr, whole);
  ASSERT_TRUE(host.is_ok()) << what << ": " << host.status().to_string();
  runner.set_pixels_on_device(true);
  StylizeTimings t;
  auto device = runner.stylize_batch(inputs, &t, whole);
  ASSERT_TRUE(device.is_ok()) << what << ": " << device.status().to_string();
  ASSERT_EQ(device->size(), host->size());
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ((*device)[i].width, w);
    ASSERT_EQ((*device)[i].height, h);
    size_t differ = 0;
    for (size_t j = 0; j < (*host)[i].rgb.size(); ++j) differ += (*host)[i].rgb[j] != (*device)[i].rgb[j];
    EXPECT_EQ(differ, 0u) << what << ", image " << i << ": " << differ << " of " << (*host)[i].rgb.size()
                          << " bytes differ between the device and the host conversion";
  }
}

class CudaPixels : public ::testing::TestWithParam<Precision> {};

TEST_P(CudaPixels, DeviceConversionEqualsHostForEveryContract) {
  TB_REQUIRE_CUDA();
  for (const Variant& v : kVariants) {
    ModelRunner runner(elementwise_model(v.layout, v.order, v.in, v.out, v.margin, v.multiple, v.grey),
                       cuda_selection(GetParam()));
    expect_same_bytes(runner, 37, 29, 1, v.name);  // odd sizes: padding and margin on every side
    expect_same_bytes(runner, 64, 48, 3, std::string(v.name) + ", batch of 3");
  }
}

TEST_P(CudaPixels, BuiltinStyleGivesTheSameBytesAndConvertsOnTheDevice) {
  TB_REQUIRE_CUDA();
  ModelRunner runner(load_model_source(kBuiltinStyleName, nullptr).value(), cuda_selection(GetParam()));
  ASSERT_GT(runner.model().margin, 0) << "the built-in style is the case with a margin";
  expect_same_bytes(runner, 200, 120, 1, "classic");
  expect_same_bytes(runner, 96, 96, 2, "classic, batch of 2");
  // The device path uploads 3 bytes a pixel, not 4 per tensor element: its upload of
  // one 1024x768 image moves 2.25 MiB where the host path moves 9 MiB (timed, printed).
  Image big = pattern(1024, 768, 7);
  StylizeTimings dev, host;
  StylizeOptions whole;
  whole.tile_size = -1;
  ASSERT_TRUE(runner.stylize(big, &dev, whole).is_ok());
  ASSERT_TRUE(runner.stylize(big, &dev, whole).is_ok());
  runner.set_pixels_on_device(false);
  ASSERT_TRUE(runner.stylize(big, &host, whole).is_ok());
  ASSERT_TRUE(runner.stylize(big, &host, whole).is_ok());
  std::printf("[ measure  ] classic 1024x768 %s: pixels on the device: pre %.2f upload %.2f compute %.2f "
              "download %.2f post %.2f ms; on the host: pre %.2f upload %.2f compute %.2f download %.2f post %.2f ms\n",
              precision_name(GetParam()), dev.preprocess_ms, dev.run.timings.upload_ms, dev.run.timings.compute_ms,
              dev.run.timings.download_ms, dev.postprocess_ms, host.preprocess_ms, host.run.timings.upload_ms,
              host.run.timings.compute_ms, host.run.timings.download_ms, host.postprocess_ms);
}

// A 1-channel output reads as grey (OutputPixels), through Session::run_pixels itself:
// ModelRunner wants an output of the input's shape, other callers may not.
TEST_P(CudaPixels, GreyOutputReadsAsGreyAsOnTheHost) {
  TB_REQUIRE_CUDA();
  const ModelSource m =
      elementwise_model(Layout::kNCHW, ChannelOrder::kBgr, {-1, 1}, {-1, 1}, 2, 8, /*grey=*/true);
  Session session(m.graph, cuda_selection(GetParam()).backend, GetParam());
  const Image img = pattern(21, 13, 3);
  const Tensor x = image_to_tensor(img, m.contract, m.margin);
  auto host = session.run({x});
  ASSERT_TRUE(host.is_ok()) << host.status().to_string();
  auto px = OutputPixels::of((*host)[0], 0, m.contract);
  ASSERT_TRUE(px.is_ok()) << px.status().to_string();
  const Image want = output_to_image(*px, m.margin, m.margin, img.width, img.height);
  Image got = img;
  PixelBatch batch;
  batch.width = img.width;
  batch.height = img.height;
  batch.inputs = {img.rgb.data()};
  batch.outputs = {got.rgb.data()};
  const Status s = session.run_pixels(x.shape(), pixel_conversion(m.contract, m.margin), batch);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(got.rgb, want.rgb);
  EXPECT_EQ(got.rgb[0], got.rgb[1]) << "grey: the three channels are one";
}

// An x2 "upscaler" (the per-channel weights, then each pixel repeated 2x2 by a four-way
// channel Concat and DepthToSpace, as sub-pixel upscalers end) through the Upscaler: the
// whole image goes through run_pixels with an output twice the input; the bytes equal the
// host path's (tensor, blend, round), with an odd size (padding to the multiple) and an
// alpha channel (resized on the host either way).
TEST_P(CudaPixels, UpscalerWholeImageGivesTheSameBytes) {
  TB_REQUIRE_CUDA();
  ModelSource m = elementwise_model(Layout::kNCHW, ChannelOrder::kRgb, {0, 1}, {0, 1}, 0, 4, false);
  Graph& g = m.graph;
  const int y = g.outputs()[0];
  const int four = g.add_node(OpKind::kConcat, "four", {y, y, y, y}, ConcatParams{1});
  const int up = g.add_node(OpKind::kDepthToSpace, "up", {four}, DepthToSpaceParams{Layout::kNCHW, 2, DepthToSpaceMode::kDcr});
  g.set_outputs({up});
  ImageModel model{std::move(g), m.contract, "test"};
  model.contract.scale = 2;
  Upscaler upscaler(std::move(model), "x2", cuda_selection(GetParam()));
  Image img = pattern(45, 31, 5);
  img.alpha.assign(static_cast<size_t>(45) * 31, 200);
  UpscaleOptions whole;
  whole.tile_size = -1;
  upscaler.set_pixels_on_device(false);
  auto host = upscaler.upscale(img, whole);
  ASSERT_TRUE(host.is_ok()) << host.status().to_string();
  upscaler.set_pixels_on_device(true);
  UpscaleReport report;
  auto device = upscaler.upscale(img, whole, &report);
  ASSERT_TRUE(device.is_ok()) << device.status().to_string();
  ASSERT_EQ(device->width, 90);
  ASSERT_EQ(device->height, 62);
  size_t differ = 0;
  for (size_t j = 0; j < host->rgb.size(); ++j) differ += host->rgb[j] != device->rgb[j];
  EXPECT_EQ(differ, 0u) << differ << " of " << host->rgb.size() << " bytes differ";
  EXPECT_EQ(device->alpha, host->alpha);
  EXPECT_GT(report.compute_ms, 0) << "the device path reports its timings";
}

// The CPU backend converts on the host: run_pixels says so and the runner falls back.
TEST(CudaPixels, CpuBackendFallsBackToTheHostConversion) {
  Session cpu(
      elementwise_model(Layout::kNHWC, ChannelOrder::kRgb, {-1, 1}, {-1, 1}, 0, 8, false).graph,
      std::shared_ptr<Backend>(cpu::create_cpu_backend()), Precision::kFloat32);
  auto can = cpu.runs_pixels({1, 8, 8, 3});
  ASSERT_TRUE(can.is_ok()) << can.status().to_string();
  EXPECT_FALSE(*can);
  const Status s = cpu.run_pixels({1, 8, 8, 3}, PixelConversion{}, PixelBatch{});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.to_string();
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaPixels, ::testing::Values(Precision::kFloat32, Precision::kFloat16),
                         [](const ::testing::TestParamInfo<Precision>& i) { return std::string(precision_name(i.param)); });

}  // namespace
}  // namespace toonbox
