// The device queue as clients see it: 429 with Retry-After when full, same-shape requests
// batched, per-request timeouts, work of clients that hung up dropped, a device
// out-of-memory failing one request only, and draining on shutdown. The HookBackend
// holds the device worker at a gate so each situation is built deterministically.
#include <algorithm>
#include <future>

#include "pipeline/model_loader.h"

#include "server_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::engine;

namespace toonbox::server_test {
namespace {

std::future<httplib::Result> cartoonize_async(const ServerHarness& h, std::string image, std::string query = "") {
  return std::async(std::launch::async, [&h, image = std::move(image), query = std::move(query)] {
    return h.cartoonize(image, query);
  });
}

TEST(ServerScheduling, FullQueueAnswers429WithRetryAfter) {
  server::ServerConfig config;
  config.scheduler.queue_capacity = 1;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto running = cartoonize_async(h, png_bytes(20, 20));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  auto queued = cartoonize_async(h, png_bytes(20, 20));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 1; }));

  auto refused = h.cartoonize(png_bytes(20, 20));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(json_of(refused)["error"]["code"], "queue_full");
  const std::string retry = refused->get_header_value("Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 60);

  // Jobs are refused too while the queue has no room for their images... eventually; here
  // the sync requests finish and everything is answered.
  h.hooks->open_gate();
  EXPECT_EQ(running.get()->status, 200);
  EXPECT_EQ(queued.get()->status, 200);
  EXPECT_NE(h.client()->Get("/metrics")->body.find("toonbox_requests_rejected_total{reason=\"queue_full\"} 1"),
            std::string::npos);
}

// The page polls /api/v1/status while the server is loaded. With every request thread
// waiting on the device, it must still be answered (it runs on the event loop), not get
// the 429 "busy" that a request needing a thread gets. Measured on the H200 before: 64
// clients posting images got the page's status poll a 429.
TEST(ServerScheduling, StatusIsAnsweredWhileEveryRequestThreadIsBusy) {
  server::ServerConfig config;
  config.http_threads = 8;
  config.scheduler.queue_capacity = 64;
  ServerHarness h(config);
  h.hooks->close_gate();
  std::vector<std::future<httplib::Result>> waiting;
  for (int i = 0; i < 8; ++i) waiting.push_back(cartoonize_async(h, png_bytes(20, 20)));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() + h.server->scheduler().running() >= 8; }));

  auto models = h.client()->Get("/api/v1/models");  // needs a request thread: none is free
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 429);
  auto status = h.client()->Get("/api/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << status->body;
  const nlohmann::json j = json_of(status);
  EXPECT_EQ(j["ready"], true);
  EXPECT_GE(j["queue"]["depth"].get<int>() + j["queue"]["running"].get<int>(), 8);
  EXPECT_EQ(j["modes"]["portrait"], false);  // no detector installed: looked up at start, not here

  h.hooks->open_gate();
  for (auto& w : waiting) EXPECT_EQ(w.get()->status, 200);
}

TEST(ServerScheduling, SameShapeRequestsRunAsOneBatchOnOneExecutable) {
  server::ServerConfig config;
  config.scheduler.max_batch = 8;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto first = cartoonize_async(h, png_bytes(24, 24));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  std::vector<std::future<httplib::Result>> same;
  for (int i = 0; i < 4; ++i) same.push_back(cartoonize_async(h, png_bytes(24, 24)));
  auto other = cartoonize_async(h, png_bytes(32, 24));  // another shape: its own batch
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 5; }));
  h.hooks->open_gate();

  EXPECT_EQ(first.get()->get_header_value("X-Toonbox-Batch-Size"), "1");
  for (auto& f : same) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("X-Toonbox-Batch-Size"), "4");
  }
  auto o = other.get();
  ASSERT_TRUE(o);
  EXPECT_EQ(o->get_header_value("X-Toonbox-Batch-Size"), "1");
  // The four same-shape images were one device call on a [4,H,W,3] tensor.
  std::vector<int64_t> batches = h.hooks->batches();
  std::sort(batches.begin(), batches.end());
  EXPECT_EQ(batches, (std::vector<int64_t>{1, 1, 4}));
  EXPECT_EQ(h.hooks->run_count(), 3);
  EXPECT_EQ(h.hooks->compile_count(), 3);  // [1,..] and [4,..] of one size, [1,..] of the other
  const std::string metrics = h.client()->Get("/metrics")->body;
  EXPECT_NE(metrics.find("toonbox_batch_size_count 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("toonbox_batch_size_sum 6\n"), std::string::npos) << metrics;
}

// Every batch size is a compiled shape: batches are powers of two (7 waiting run as 4, 2
// and 1, in their order), so a worker compiles at most log2(max_batch) + 1 shapes per size.
TEST(ServerScheduling, BatchesArePowersOfTwo) {
  server::ServerConfig config;
  config.scheduler.max_batch = 8;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto first = cartoonize_async(h, png_bytes(24, 24));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  std::vector<std::future<httplib::Result>> rest;
  for (int i = 0; i < 7; ++i) rest.push_back(cartoonize_async(h, png_bytes(24, 24)));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 7; }));
  h.hooks->open_gate();
  EXPECT_EQ(first.get()->status, 200);
  std::multiset<std::string> sizes;
  for (auto& f : rest) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    sizes.insert(r->get_header_value("X-Toonbox-Batch-Size"));
  }
  EXPECT_EQ(sizes, (std::multiset<std::string>{"4", "4", "4", "4", "2", "2", "1"}));
  EXPECT_EQ(h.hooks->batches(), (std::vector<int64_t>{1, 4, 2, 1}));
  EXPECT_EQ(h.hooks->compile_count(), 3);  // [1,..], [4,..], [2,..]
}

TEST(ServerScheduling, MaxBatchSplitsLongRuns) {
  server::ServerConfig config;
  config.scheduler.max_batch = 2;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto first = cartoonize_async(h, png_bytes(16, 16));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  std::vector<std::future<httplib::Result>> rest;
  for (int i = 0; i < 3; ++i) rest.push_back(cartoonize_async(h, png_bytes(16, 16)));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 3; }));
  h.hooks->open_gate();
  first.get();
  std::multiset<std::string> sizes;
  for (auto& f : rest) sizes.insert(f.get()->get_header_value("X-Toonbox-Batch-Size"));
  EXPECT_EQ(sizes, (std::multiset<std::string>{"1", "2", "2"}));
  EXPECT_EQ(h.hooks->batches(), (std::vector<int64_t>{1, 2, 1}));  // 3 waiting, max 2: [2] then [1]
}

TEST(ServerScheduling, OutOfMemoryInABatchRetriesEachImageAlone) {
  ServerHarness h({}, /*fake_gpu=*/true);
  h.hooks->close_gate();
  auto first = cartoonize_async(h, png_bytes(24, 24));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  std::vector<std::future<httplib::Result>> same;
  for (int i = 0; i < 2; ++i) same.push_back(cartoonize_async(h, png_bytes(24, 24)));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 2; }));
  {
    // The batch of 2 and then the first image on its own (inside stylize_batch's
    // halving) run out of memory; the scheduler then gives each image its own call.
    std::lock_guard<std::mutex> lock(h.hooks->mutex);
    h.hooks->inject.push_back(out_of_memory("cudaMalloc failed: out of memory (batch)"));
    h.hooks->inject.push_back(out_of_memory("cudaMalloc failed: out of memory (single)"));
  }
  h.hooks->open_gate();
  EXPECT_EQ(first.get()->status, 200);
  for (auto& f : same) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("X-Toonbox-Batch-Size"), "1");
  }
  EXPECT_EQ(h.hooks->batches(), (std::vector<int64_t>{1, 2, 1, 1, 1}));
}

TEST(ServerScheduling, WorkCancelledWhileTheBatchGathersIsLeftOutOfTheDeviceCall) {
  // Straight on the scheduler: a long gathering window makes "claimed into the batch,
  // then its client left" deterministic.
  auto hooks = std::make_shared<Hooks>();
  DeviceSelection device{std::make_shared<HookBackend>(hooks, false), Precision::kFloat32, "test", false};
  std::string note;
  auto model_source = load_model_source("classic", &note);
  ASSERT_TRUE(model_source.is_ok());
  auto model = std::make_shared<ModelRunner>(std::move(model_source).value(), device);
  server::SchedulerOptions options;
  options.max_batch = 4;
  options.max_wait_ms = 60000;  // the batch runs when it is full
  server::Metrics metrics;
  server::DeviceScheduler scheduler("cpu", options, &metrics);
  std::vector<std::shared_ptr<server::WorkItem>> items;
  for (int i = 0; i < 3; ++i) {
    items.push_back(std::make_shared<server::WorkItem>(model, test_image(20, 20), "classic"));
    ASSERT_EQ(scheduler.try_push(items.back()), server::DeviceScheduler::Push::kOk);
  }
  ASSERT_TRUE(eventually([&] { return items[2]->state() == server::WorkItem::State::kClaimed; }));
  EXPECT_TRUE(scheduler.cancel(items[1], "client_disconnected"));
  items.push_back(std::make_shared<server::WorkItem>(model, test_image(20, 20), "classic"));
  ASSERT_EQ(scheduler.try_push(items.back()), server::DeviceScheduler::Push::kOk);
  for (auto& item : items) ASSERT_TRUE(item->wait_until(server::Clock::now() + std::chrono::seconds(60)));
  EXPECT_TRUE(items[1]->outcome().dropped);
  for (int i : {0, 2, 3}) {
    EXPECT_TRUE(items[i]->outcome().status.is_ok()) << items[i]->outcome().status.to_string();
    EXPECT_EQ(items[i]->outcome().batch_size, 3);
  }
  EXPECT_EQ(hooks->batches(), (std::vector<int64_t>{3}));
  scheduler.drain();
}

TEST(ServerScheduling, RequestsTimeOutWith504AndQueuedWorkIsDropped) {
  server::ServerConfig config;
  config.request_timeout_s = 1;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto running = cartoonize_async(h, png_bytes(20, 20));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  auto waiting = h.cartoonize(png_bytes(20, 20));  // sits in the queue past its deadline
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->status, 504);
  EXPECT_NE(error_message(waiting).find("has been dropped"), std::string::npos) << error_message(waiting);
  auto r = running.get();  // the one on the device also answers 504 at its deadline
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(error_message(r).find("still finishing"), std::string::npos) << error_message(r);
  h.hooks->open_gate();
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().running() == 0; }));
  EXPECT_EQ(h.hooks->run_count(), 1);  // the dropped one never ran
  EXPECT_NE(h.client()->Get("/metrics")->body.find("toonbox_work_dropped_total{reason=\"timeout\"} 1"),
            std::string::npos);
  // And the server still works (a few tries: the 1 s limit is tight on a loaded machine).
  int status = 0;
  for (int i = 0; i < 5 && status != 200; ++i) status = h.cartoonize(png_bytes(20, 20))->status;
  EXPECT_EQ(status, 200);
}

TEST(ServerScheduling, WorkOfAClientThatHungUpIsDropped) {
  ServerHarness h;
  h.hooks->close_gate();
  auto running = cartoonize_async(h, png_bytes(20, 20));
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  {
    RawSocket s(h.port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(s.send_all(raw_cartoonize_request(png_bytes(20, 20), h.port())));
    ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 1; }));
  }  // hangs up while its image waits in the queue
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 0; }));
  h.hooks->open_gate();
  EXPECT_EQ(running.get()->status, 200);
  EXPECT_EQ(h.hooks->run_count(), 1);
  EXPECT_NE(h.client()->Get("/metrics")->body.find("toonbox_work_dropped_total{reason=\"client_disconnected\"} 1"),
            std::string::npos);
}

TEST(ServerScheduling, DeviceOutOfMemoryFailsOnlyThatRequest) {
  ServerHarness h({}, /*fake_gpu=*/true);
  {
    std::lock_guard<std::mutex> lock(h.hooks->mutex);
    h.hooks->inject.push_back(out_of_memory("cudaMalloc of 2147483648 bytes failed: out of memory"));
  }
  auto r = h.cartoonize(png_bytes(40, 40));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(json_of(r)["error"]["code"], "out_of_memory");
  EXPECT_NE(error_message(r).find("ran out of memory for this 40x40 image"), std::string::npos) << error_message(r);
  EXPECT_NE(error_message(r).find("still running"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  // The server stays ready and the next request (same shape, recompiled) succeeds.
  EXPECT_EQ(h.client()->Get("/health/ready")->status, 200);
  auto ok = h.cartoonize(png_bytes(40, 40), "?precision=fp16");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->get_header_value("X-Toonbox-Precision"), "fp16");
  EXPECT_NE(h.client()->Get("/metrics")->body.find("outcome=\"out_of_memory\"} 1"), std::string::npos);
}

TEST(ServerScheduling, ShutdownFinishesInFlightWorkAndRefusesNewWork) {
  auto h = std::make_unique<ServerHarness>();
  h->hooks->close_gate();
  auto in_flight = cartoonize_async(*h, png_bytes(20, 20));
  ASSERT_TRUE(h->hooks->wait_blocked(1));
  auto stopping = std::async(std::launch::async, [&] { h->server->shutdown(); });
  ASSERT_TRUE(eventually([&] { return !h->server->ready(); }));
  EXPECT_EQ(stopping.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "shutdown must wait for the request in flight";
  h->hooks->open_gate();
  auto r = in_flight.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(decode_bytes(r->body).is_ok());
  stopping.get();
  // New connections are refused once drained.
  auto after = h->client()->Get("/health/live");
  EXPECT_FALSE(after);
}

TEST(ServerScheduling, SlowHeadersTimeOutWith408) {
  server::ServerConfig config;
  config.connection.header_timeout_s = 1;
  ServerHarness h(config);
  RawSocket s(h.port());
  ASSERT_TRUE(s.connected());
  // Headers that never end, sent slowly: a per-read timeout alone would wait forever.
  ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  std::string reply;
  for (int i = 0; i < 10 && reply.empty(); ++i) {  // without a total deadline: never answered
    s.send_all("X-Slow: 1\r\n");
    reply = s.read_all(std::chrono::milliseconds(400));
  }
  const double s_elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(reply.find("HTTP/1.1 408"), std::string::npos) << reply;
  EXPECT_NE(reply.find("did not arrive within 1 s"), std::string::npos) << reply;
  EXPECT_LT(s_elapsed, 4.0);
}

TEST(ServerScheduling, SlowBodyTimesOutWith408) {
  server::ServerConfig config;
  config.connection.body_timeout_s = 1;
  ServerHarness h(config);
  RawSocket s(h.port());
  ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: image/png\r\nContent-Length: 100000\r\n\r\n"));
  std::string reply;
  for (int i = 0; i < 10 && reply.empty(); ++i) {
    s.send_all(std::string(100, 'x'));
    reply = s.read_all(std::chrono::milliseconds(400));
  }
  EXPECT_NE(reply.find("HTTP/1.1 408"), std::string::npos) << reply;
  EXPECT_NE(reply.find("body did not arrive"), std::string::npos) << reply;
}

}  // namespace
}  // namespace toonbox::server_test
