// The Session's cache of compiled shapes: a folder of photos cycles through many sizes,
// and every recompile costs a cuDNN algorithm search, so shapes stay compiled (least
// recently used evicted first, past 32 shapes or a quarter of the device's memory).
#include <gtest/gtest.h>

#include "backend/cpu/cpu_backend.h"
#include "engine/session.h"
#include "pipeline/builtin_style.h"
#include "unit/instrumented_backend.h"

using namespace toonbox::pipeline;
using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

Tensor input_of(int64_t h, int64_t w) {
  Tensor t(DType::kFloat32, {1, h, w, 3});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i % 7) / 7.f;
  return t;
}

TEST(SessionCache, ManyShapesStayCompiledLeastRecentlyUsedGoesFirst) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  Session session(build_classic_cartoon_graph(), cpu, Precision::kFloat32);
  auto run = [&](int i) {
    RunReport report;
    auto out = session.run({input_of(16 + i, 20)}, &report);
    EXPECT_TRUE(out.is_ok()) << out.status().to_string();
    return report.compiled;
  };
  // Ten sizes, twice over: each compiles once (the old cache of 4 recompiled all 20).
  for (int pass = 0; pass < 2; ++pass)
    for (int i = 0; i < 10; ++i) EXPECT_EQ(run(i), pass == 0) << "shape " << i << ", pass " << pass;
  EXPECT_EQ(cpu->compiles(), 10);
  // 40 sizes overflow the 32-shape bound: the least recently used go, the rest stay.
  for (int i = 10; i < 40; ++i) EXPECT_TRUE(run(i));
  for (int i = 39; i >= 8; --i) EXPECT_FALSE(run(i)) << "shape " << i << " was evicted";
  EXPECT_TRUE(run(0)) << "shape 0 (least recently used) should have been evicted";
}

}  // namespace
}  // namespace toonbox
