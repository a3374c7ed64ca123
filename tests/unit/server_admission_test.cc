// Admission by memory and order (issue 18, memory amplification): an image whose
// estimated peak memory is over the per-request limit is refused from its header before
// any pixel memory; one that does not fit beside the requests in progress gets 429; and a
// small image queued behind a huge one runs first.
#include <future>

#include "server/memory_budget.h"
#include "server_test_util.h"

using namespace toonbox::image;

namespace toonbox::server_test {
namespace {

TEST(ServerAdmission, EstimatesGrowWithPixelsAndTilesBoundTheModelPart) {
  server::RequestMemory small{256, 256, 256, 256, false, 1024, 100};
  server::RequestMemory large{7000, 7000, 7000, 7000, false, 1024, 100};
  server::RequestMemory whole = large;
  whole.tile_side = 0;
  const size_t s = server::estimate_request_bytes(small), l = server::estimate_request_bytes(large),
               w = server::estimate_request_bytes(whole);
  EXPECT_LT(s, size_t{64} << 20);
  EXPECT_GT(l, 49'000'000u * 30);   // the image stages alone are ~30 B/px when tiled
  EXPECT_LT(l, 49'000'000u * 40);   // and the model's arena is bounded by the tile
  EXPECT_GT(w, 49'000'000u * 100);  // untiled, the arena grows with the image
  server::MemoryBudget budget(100);
  auto a = budget.try_reserve(60);
  EXPECT_TRUE(a);
  EXPECT_FALSE(budget.try_reserve(50));
  a.release();
  EXPECT_TRUE(budget.try_reserve(100));
  EXPECT_EQ(budget.in_use(), 0u);
}

// On a GPU the model's arena is device memory: a 1024² request's host estimate is its
// 8-bit images and float tensors (~43 MB), not the ~150 MB with a 100 B/px arena that
// refused a quarter of 64 clients' requests on the H200.
TEST(ServerAdmission, AnArenaOnTheGpuIsNotCountedAgainstHostMemory) {
  server::RequestMemory host{1024, 1024, 1024, 1024, false, 0, 100};
  server::RequestMemory gpu = host;
  gpu.arena_on_device = true;
  const size_t h = server::estimate_request_bytes(host), g = server::estimate_request_bytes(gpu);
  EXPECT_EQ(h - g, static_cast<size_t>(100.0 * 1024 * 1024));
  EXPECT_LT(g, size_t{48} << 20);
  gpu.model_bytes_per_pixel = 0;  // not yet measured: still nothing for the arena
  EXPECT_EQ(server::estimate_request_bytes(gpu), g);
}

TEST(ServerAdmission, AnImageOverThePerRequestMemoryLimitIsRefusedFromItsHeader) {
  server::ServerConfig config;
  config.max_request_bytes = size_t{24} << 20;
  ServerHarness h(config);
  // A PNG of zeros compresses to almost nothing: the header's size is what counts.
  Image zeros;
  zeros.width = 2000;
  zeros.height = 2000;
  zeros.rgb.assign(size_t{2000} * 2000 * 3, 0);
  const std::string png = png_bytes(zeros);
  ASSERT_LT(png.size(), 100000u);
  auto r = h.cartoonize(png);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_NE(error_message(r).find("2000x2000 image would need about"), std::string::npos) << error_message(r);
  EXPECT_NE(error_message(r).find("--max-request-mb"), std::string::npos) << error_message(r);
  EXPECT_EQ(h.hooks->run_count(), 0);
  EXPECT_EQ(h.cartoonize(png_bytes(64, 64))->status, 200);  // small ones still run
}

TEST(ServerAdmission, ARequestThatDoesNotFitBesideTheOnesInProgressGets429) {
  server::ServerConfig config;
  config.max_request_bytes = size_t{40} << 20;
  config.memory_budget_bytes = size_t{40} << 20;
  ServerHarness h(config);
  h.hooks->close_gate();
  // 300x300: ~22 MiB estimated; two do not fit in 40 MiB.
  auto first = std::async(std::launch::async, [&] { return h.cartoonize(png_bytes(300, 300)); });
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  auto second = h.cartoonize(png_bytes(300, 300));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429) << second->body;
  EXPECT_EQ(json_of(second)["error"]["code"], "memory_busy");
  EXPECT_FALSE(second->get_header_value("Retry-After").empty());
  h.hooks->open_gate();
  EXPECT_EQ(first.get()->status, 200);
  // The reservation is returned with the answer: the same request now fits.
  EXPECT_EQ(h.cartoonize(png_bytes(300, 300))->status, 200);
}

TEST(ServerAdmission, ASmallImageQueuedBehindAHugeOneRunsFirst) {
  ServerHarness h;
  h.hooks->close_gate();
  auto running = std::async(std::launch::async, [&] { return h.cartoonize(png_bytes(32, 32)); });
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  using Clock = std::chrono::steady_clock;
  Clock::time_point big_done, small_done;
  auto big = std::async(std::launch::async, [&] {
    auto r = h.cartoonize(png_bytes(900, 700));
    big_done = Clock::now();
    return r;
  });
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 1; }));
  auto small = std::async(std::launch::async, [&] {
    auto r = h.cartoonize(png_bytes(40, 40));
    small_done = Clock::now();
    return r;
  });
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 2; }));
  h.hooks->open_gate();
  EXPECT_EQ(running.get()->status, 200);
  EXPECT_EQ(small.get()->status, 200);
  EXPECT_EQ(big.get()->status, 200);
  EXPECT_LT(small_done, big_done) << "the small image waited for the huge one queued before it";
}

}  // namespace
}  // namespace toonbox::server_test
