// Timings of a White-box-Cartoonization-shaped UNet on the CUDA backend in each layout
// and precision. Runs only with TOONBOX_CUDA_BENCH=1 (seconds of GPU time, no oracle
// at this size); checks that fp16 stays close to fp32 on the same graph.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/timing.h"
#include "cuda_test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

// The generator of White-box Cartoonization (Wang & Yu 2020): conv7x7-32, two stride-2
// downsamplings to 128 channels, 4 residual blocks, two bilinear x2 upsamplings with
// skip additions, conv7x7-3. LeakyReLU(0.2) after every conv but the residual blocks'
// second and the last.
Graph whitebox_unet(Layout layout, int64_t size) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, in_layout({1, size, size, 3}, layout));
  uint32_t seed = 100;
  int64_t channels = 3;
  auto conv = [&](int in, int64_t out, int k, int stride, bool leaky) {
    const float scale = 1.f / std::sqrt(static_cast<float>(channels * k * k));
    const int w = g.add_constant("w" + std::to_string(seed), random_tensor({out, channels, k, k}, seed, -scale, scale, false));
    const int b = g.add_constant("b" + std::to_string(seed), random_tensor({out}, seed + 1, -0.1f, 0.1f, false));
    seed += 2;
    Conv2DParams p;
    p.layout = layout;
    p.stride_h = p.stride_w = stride;
    p.pad_mode = PadMode::kSameUpper;
    if (leaky) p.activation = Activation{UnaryOp::kLeakyRelu, 0.2f, 0.f};
    channels = out;
    return g.add_node(OpKind::kConv2D, "conv" + std::to_string(seed), {in, w, b}, p);
  };
  auto add = [&](int a, int b) { return g.add_node(OpKind::kBinary, "add" + std::to_string(seed++), {a, b}, BinaryParams{BinaryOp::kAdd}); };
  auto up = [&](int in, int64_t out_size) {
    ResizeParams p;
    p.layout = layout;
    p.mode = ResizeMode::kBilinear;
    const int sz = g.add_constant("size" + std::to_string(seed), Tensor::from_vector<int32_t>({2}, {static_cast<int32_t>(out_size), static_cast<int32_t>(out_size)}));
    return g.add_node(OpKind::kResize, "up" + std::to_string(seed++), {in, sz}, p);
  };
  const int x0 = conv(x, 32, 7, 1, true);
  int x1 = conv(x0, 32, 3, 2, true);
  x1 = conv(x1, 64, 3, 1, true);
  int x2 = conv(x1, 64, 3, 2, true);
  x2 = conv(x2, 128, 3, 1, true);
  for (int i = 0; i < 4; ++i) {
    const int y = conv(conv(x2, 128, 3, 1, true), 128, 3, 1, false);
    x2 = add(x2, y);
  }
  x2 = conv(x2, 64, 3, 1, true);
  int x3 = add(up(x2, size / 2), x1);
  x3 = conv(x3, 64, 3, 1, true);
  x3 = conv(x3, 32, 3, 1, true);
  int x4 = add(up(x3, size), x0);
  x4 = conv(x4, 32, 3, 1, true);
  g.add_output(conv(x4, 3, 7, 1, false));
  return g;
}

TEST(CudaBench, WhiteboxUnetLayoutsAndPrecisions) {
  TB_REQUIRE_CUDA();
  const char* bench = std::getenv("TOONBOX_CUDA_BENCH");
  if (!bench || bench[0] != '1') GTEST_SKIP() << "set TOONBOX_CUDA_BENCH=1 to run";
  using Clock = std::chrono::steady_clock;
  for (int64_t size : {512, 1024}) {
    const Tensor input = random_tensor(in_layout({1, size, size, 3}, Layout::kNHWC), 9, -1.f, 1.f, false);
    for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
      const Shape shape = in_layout({1, size, size, 3}, layout);
      Tensor x = input;
      if (layout == Layout::kNCHW) {  // same image, planar
        x = Tensor(DType::kFloat32, shape);
        for (int64_t p = 0; p < size * size; ++p)
          for (int c = 0; c < 3; ++c) x.data<float>()[c * size * size + p] = input.data<float>()[p * 3 + c];
      }
      auto spec = specialize(whitebox_unet(layout, size), {shape});
      ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
      Graph g = std::move(spec).value();
      std::vector<Tensor> fp32_out;
      for (Precision p : {Precision::kFloat32, Precision::kFloat16}) {
        const auto t0 = Clock::now();
        auto exe = cuda_env().backend->compile(g, CompileOptions{p});
        ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
        const double compile_ms = ms_since(t0);
        std::vector<Tensor> out;
        RunTimings t;
        const auto t1 = Clock::now();
        ASSERT_TRUE(exe.value()->run({x}, &out, &t).is_ok());
        const double first_ms = ms_since(t1);
        std::vector<double> compute;
        double upload = 0, download = 0;
        for (int i = 0; i < 20; ++i) {
          ASSERT_TRUE(exe.value()->run({x}, &out, &t).is_ok());
          compute.push_back(t.compute_ms);
          upload += t.upload_ms / 20;
          download += t.download_ms / 20;
        }
        std::sort(compute.begin(), compute.end());
        double nmse = 0;
        if (p == Precision::kFloat32) {
          fp32_out = out;
        } else {
          nmse = compare(out[0], fp32_out[0]).nmse;
          EXPECT_LE(nmse, 1e-4) << "fp16 drifts from fp32";
        }
        char accuracy[64] = "";
        if (p == Precision::kFloat16) std::snprintf(accuracy, sizeof(accuracy), ", NMSE vs fp32 %.2e", nmse);
        std::printf("[ bench    ] whitebox %4ldx%-4ld %s %s: compile %7.1f ms, first run %6.2f ms, compute median %6.3f ms "
                    "(min %6.3f), upload %.3f ms, download %.3f ms, arena %.1f MiB%s\n",
                    static_cast<long>(size), static_cast<long>(size), layout_tag(layout).c_str(), precision_tag(p).c_str(),
                    compile_ms, first_ms, compute[compute.size() / 2], compute[0], upload, download,
                    exe.value()->arena_bytes() / 1048576.0, accuracy);
      }
    }
  }
}

}  // namespace
}  // namespace toonbox::cuda_test
