// Batches and tiles on the CUDA backend (skipped without a GPU):
//   * a batch of 3 through the generated conv net (strided/depthwise/1x1-GEMM convs,
//     Reduce, Transpose, ConvTranspose, Resize, Concat, broadcast Add) equals the 3
//     single runs within the backend's fp32/fp16 tolerances of cuda_test_util.h (cuDNN
//     may pick another algorithm for N = 3; the observed error is printed);
//   * the built-in style through ModelRunner: stylize_batch is one call of N = 3 and
//     matches singles; 128 px tiles match the whole image (PSNR >= 40 dB); an injected
//     out-of-memory error retries with smaller tiles and says "CUDA out of memory";
//   * free device memory through the plugin API and Backend::free_memory.
#include "unit/cuda_test_util.h"

#include "engine/session.h"
#include "pipeline/builtin_style.h"
#include "pipeline/model_runner.h"
#include "pipeline/model_loader.h"
#include "unit/batched_exec_test_util.h"
#include "unit/instrumented_backend.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::graph;

namespace toonbox {
namespace {

using cuda_test::cuda_env;

std::shared_ptr<Backend> shared_cuda() {
  return std::shared_ptr<Backend>(cuda_env().backend.get(), [](Backend*) {});  // env owns it
}

class CudaBatch : public ::testing::TestWithParam<Precision> {};

TEST_P(CudaBatch, GeneratedConvNetBatchOfThreeEqualsSingles) {
  TB_REQUIRE_CUDA();
  const Precision p = GetParam();
  const bool half = cuda_test::is_fp16(p);
  const Graph g = test::generated_conv_net();
  std::vector<Tensor> items;
  for (uint32_t s = 1; s <= 3; ++s)
    items.push_back(cuda_test::random_tensor({1, test::kSide, test::kSide, 3}, s, -1.f, 1.f, half));
  Session gpu(g, shared_cuda(), p, SessionOptions{/*allow_batch=*/true});
  auto batch = gpu.run({test::stack(items)});
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  for (int64_t i = 0; i < 3; ++i) {
    auto single = gpu.run({items[i]});
    ASSERT_TRUE(single.is_ok()) << single.status().to_string();
    const Tensor got = test::slice_item((*batch)[0], i);
    // cuDNN may choose another algorithm for N = 3 than for N = 1: the backend's stated
    // tolerance (cuda_test_util.h) applies; the observed error is printed.
    cuda_test::expect_close(got, (*single)[0], p, "item " + std::to_string(i));
    std::printf("[ measure  ] generated net on CUDA %s, batch item %lld vs single: max abs %.3g\n",
                precision_name(p), static_cast<long long>(i), cuda_test::compare(got, (*single)[0]).max_abs);
  }
}

// The classic style as users get it (margin, overlap) from the model loader.
ModelSource classic_source() { return load_model_source(kBuiltinStyleName, nullptr).value(); }

Image pattern(int w, int h, int seed) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.rgb[(static_cast<size_t>(y) * w + x) * 3 + c] = static_cast<uint8_t>(
            std::clamp(128 + 90 * std::sin(x * 0.05 + c + seed) * std::cos(y * 0.04 - seed) +
                           ((x / 40 + y / 30 + seed) % 2) * 30.0,
                       0.0, 255.0));
  return img;
}

double psnr_u8(const Image& a, const Image& b) {
  double mse = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) mse += (double(a.rgb[i]) - b.rgb[i]) * (double(a.rgb[i]) - b.rgb[i]);
  mse /= static_cast<double>(a.rgb.size());
  return mse == 0 ? 200.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

TEST_P(CudaBatch, ClassicStylizeBatchIsOneCallAndTilesMatchWhole) {
  TB_REQUIRE_CUDA();
  const Precision p = GetParam();
  auto counted = std::make_shared<test::InstrumentedBackend>(shared_cuda());
  ModelRunner toon(classic_source(), DeviceSelection{counted, p, "test", true});
  std::vector<Image> images = {pattern(64, 48, 1), pattern(64, 48, 2), pattern(64, 48, 3)};
  StylizeTimings t;
  auto batch = toon.stylize_batch({&images[0], &images[1], &images[2]}, &t);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  EXPECT_EQ(t.batch, 3);
  EXPECT_EQ(counted->run_batches().back(), 3);
  for (int i = 0; i < 3; ++i) {
    auto single = toon.stylize(images[i]);
    ASSERT_TRUE(single.is_ok());
    // fp32: a last-bit difference may cross a rounding level; fp16 more so.
    EXPECT_GE(psnr_u8((*batch)[i], *single), cuda_test::is_fp16(p) ? 30.0 : 40.0) << "image " << i;
  }
  const Image big = pattern(300, 220, 4);
  StylizeOptions whole_opt, tiled_opt;
  whole_opt.tile_size = -1;
  tiled_opt.tile_size = 128;
  StylizeTimings tt;
  auto whole = toon.stylize(big, nullptr, whole_opt);
  auto tiled = toon.stylize(big, &tt, tiled_opt);
  ASSERT_TRUE(whole.is_ok() && tiled.is_ok());
  EXPECT_GT(tt.tiles, 1);
  const double psnr = psnr_u8(*tiled, *whole);
  std::printf("[ measure  ] classic on CUDA %s: 300x220 in %d tiles of 128 px vs whole: PSNR %.2f dB\n",
              precision_name(p), tt.tiles, psnr);
  EXPECT_GE(psnr, 40.0);
}

TEST_P(CudaBatch, OutOfMemoryRetriesWithSmallerTilesOnTheGpu) {
  TB_REQUIRE_CUDA();
  auto limited = std::make_shared<test::InstrumentedBackend>(shared_cuda());
  limited->free_bytes = size_t{1} << 40;  // automatic sizing runs whole; the limit then bites
  ModelRunner toon(classic_source(), DeviceSelection{limited, GetParam(), "test", true});
  Session probe(classic_source().graph, shared_cuda(), GetParam());
  RunReport r;
  ASSERT_TRUE(probe.prepare({{1, 272, 272, 3}}, &r).is_ok());
  limited->arena_limit = r.arena_bytes;
  StylizeTimings t;
  auto out = toon.stylize(pattern(512, 400, 5), &t);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0], "CUDA out of memory at the whole 512x400 image: retried with 256");
  EXPECT_GT(t.tiles, 1);
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaBatch, ::testing::Values(Precision::kFloat32, Precision::kFloat16),
                         [](const auto& info) { return cuda_test::precision_tag(info.param); });

TEST(CudaMemory, FreeMemoryThroughThePluginAndTheBackend) {
  TB_REQUIRE_CUDA();
  size_t free_bytes = 0, total_bytes = 0;
  const Status s = cuda_device_memory(0, &free_bytes, &total_bytes);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_GT(free_bytes, 0u);
  EXPECT_LE(free_bytes, total_bytes);
  auto from_backend = cuda_env().backend->free_memory();
  ASSERT_TRUE(from_backend.is_ok()) << from_backend.status().to_string();
  EXPECT_GT(*from_backend, 0u);
  EXPECT_LE(*from_backend, total_bytes);
}

}  // namespace
}  // namespace toonbox
