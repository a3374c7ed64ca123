// `toonbox serve` on several devices (`--device cpu,cpu` standing in for `cuda:0,1`): one
// worker per device behind one queue, both taking work; a device that fails (the
// TOONBOX_TEST_DEVICE_FAULTS hook) taken out of rotation while its requests are retried on
// the other; with every device failed, readiness 503 and requests a clear 503. Each
// device has its own HookBackend, so a test sees which device ran what and can hold one.
#include <future>
#include <regex>

#include "engine/device_faults.h"
#include "engine/device_rotation.h"

#include "server_test_util.h"

using namespace toonbox::engine;

namespace toonbox::server_test {
namespace {

std::future<httplib::Result> cartoonize_async(const ServerHarness& h, std::string image) {
  return std::async(std::launch::async, [&h, image = std::move(image)] { return h.cartoonize(image); });
}

// The value of a series in /metrics, -1 when it is absent.
double metric(const ServerHarness& h, const std::string& series) {
  const std::string body = h.client()->Get("/metrics")->body;
  const size_t at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

TEST(ServerDevices, TwoWorkersTakeConcurrentRequestsFromOneQueue) {
  server::ServerConfig config;
  config.scheduler.max_batch = 1;  // one request per device call, so each worker takes one
  config.requested_device = "cpu,cpu";
  ServerHarness h(config, false, "", 2);
  ASSERT_EQ(h.server->scheduler().device_count(), 2);
  for (auto& hooks : h.device_hooks) hooks->close_gate();
  auto a = cartoonize_async(h, png_bytes(20, 20));
  auto b = cartoonize_async(h, png_bytes(20, 20));
  // Both requests run at the same time, one on each device: with one worker the second
  // would wait in the queue and the second device would never be reached.
  ASSERT_TRUE(h.device_hooks[0]->wait_blocked(1));
  ASSERT_TRUE(h.device_hooks[1]->wait_blocked(1));
  EXPECT_EQ(h.server->scheduler().depth(), 0);
  EXPECT_EQ(h.server->scheduler().running(), 2);
  for (auto& hooks : h.device_hooks) hooks->open_gate();
  auto ra = a.get(), rb = b.get();
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->status, 200);
  EXPECT_EQ(rb->status, 200);
  std::set<std::string> ran_on = {ra->get_header_value("X-Toonbox-Device"), rb->get_header_value("X-Toonbox-Device")};
  EXPECT_EQ(ran_on, (std::set<std::string>{"cpu#1", "cpu#2"}));

  // Per-device series, labelled by device; the queue's gauges keep their names.
  EXPECT_EQ(metric(h, "toonbox_device_images_total{device=\"cpu#1\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(metric(h, "toonbox_device_images_total{device=\"cpu#2\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#1\"}"), 1);
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#2\"}"), 1);
  EXPECT_GT(metric(h, "toonbox_device_busy_seconds_total{device=\"cpu#2\"}"), 0);
  EXPECT_EQ(metric(h, "toonbox_queue_depth{device=\"cpu#1,cpu#2\"}"), 0);
  EXPECT_EQ(metric(h, "toonbox_ready"), 1);

  auto status = json_of(h.client()->Get("/api/v1/status"));
  ASSERT_TRUE(status["devices"].is_array());
  ASSERT_EQ(status["devices"].size(), 2u);
  EXPECT_EQ(status["devices"][1]["id"], "cpu#2");
  EXPECT_EQ(status["devices"][1]["state"], "in_rotation");
  EXPECT_EQ(status["devices"][1]["images_ok"], 1);
  EXPECT_EQ(status["devices_in_rotation"], 2);
  EXPECT_EQ(status["status_line"], "2 device workers (--device cpu,cpu), one queue");
}

TEST(ServerDevices, AFailedDeviceLeavesTheRotationAndItsRequestsSucceedElsewhere) {
  server::ServerConfig config;
  config.scheduler.max_batch = 1;
  config.device_faults = "1:fail-after=0";  // the second device is "lost" at its first call
  std::mutex told_mutex;
  std::vector<std::string> told;
  config.scheduler.on_device_retired = [&](const std::string& id, const std::string& why, int left) {
    std::lock_guard<std::mutex> lock(told_mutex);
    told.push_back(id + "|" + why + "|" + std::to_string(left));
  };
  ServerHarness h(config, false, "", 2);
  // The first device is held, so the second must take some of the requests (and fail them).
  h.device_hooks[0]->close_gate();
  std::vector<std::future<httplib::Result>> replies;
  for (int i = 0; i < 4; ++i) replies.push_back(cartoonize_async(h, png_bytes(20, 20)));
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().live_devices() == 1; }));
  EXPECT_EQ(h.device_hooks[1]->run_count(), 0);  // the hook failed it before the model ran
  h.device_hooks[0]->open_gate();
  for (auto& f : replies) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << error_message(r);
    EXPECT_EQ(r->get_header_value("X-Toonbox-Device"), "cpu#1");
  }
  {
    std::lock_guard<std::mutex> lock(told_mutex);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0], "cpu#2|TOONBOX_TEST_DEVICE_FAULTS made device cpu#2 fail after 0 calls (device lost)|1");
  }
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#2\"}"), 0);
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#1\"}"), 1);
  EXPECT_EQ(metric(h, "toonbox_device_images_total{device=\"cpu#1\",outcome=\"ok\"}"), 4);
  EXPECT_GE(metric(h, "toonbox_device_retried_elsewhere_total{device=\"cpu#2\"}"), 1);
  auto status = json_of(h.client()->Get("/api/v1/status"));
  EXPECT_EQ(status["devices"][1]["state"], "retired");
  EXPECT_NE(status["devices"][1].value("retired_reason", "").find("device lost"), std::string::npos);
  EXPECT_EQ(status["devices_in_rotation"], 1);
  // Still ready on the device that is left, and later requests go there.
  EXPECT_EQ(h.client()->Get("/health/ready")->status, 200);
  auto later = h.cartoonize(png_bytes(24, 20));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
  EXPECT_EQ(later->get_header_value("X-Toonbox-Device"), "cpu#1");
}

TEST(ServerDevices, WithEveryDeviceFailedReadinessAndRequestsAre503) {
  server::ServerConfig config;
  config.device_faults = "*:fail-after=1";  // each device makes one image, then is lost
  ServerHarness h(config, false, "", 2);
  // Same-size requests batch: a lost batch is handed back whole, then fails everywhere.
  std::vector<std::future<httplib::Result>> replies;
  for (int i = 0; i < 6; ++i) replies.push_back(cartoonize_async(h, png_bytes(20, 20)));
  int ok = 0, no_device = 0;
  for (auto& f : replies) {
    auto r = f.get();
    ASSERT_TRUE(r);  // an answer, not a hang or a dropped connection
    if (r->status == 200) ++ok;
    if (r->status == 503 && json_of(r)["error"]["code"] == "no_device") ++no_device;
  }
  EXPECT_EQ(ok + no_device, 6);
  // Once both are out, nothing more can succeed.
  ASSERT_TRUE(eventually([&] {
    auto r = h.cartoonize(png_bytes(20, 20));
    return r && r->status == 503;
  }));
  EXPECT_EQ(h.server->scheduler().live_devices(), 0);
  auto ready = h.client()->Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(json_of(ready)["status"], "no device in rotation");
  auto refused = h.cartoonize(png_bytes(20, 20));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(json_of(refused)["error"]["code"], "no_device");
  EXPECT_NE(error_message(refused).find("cpu#2: TOONBOX_TEST_DEVICE_FAULTS made device cpu#2"), std::string::npos)
      << error_message(refused);
  EXPECT_FALSE(refused->get_header_value("Retry-After").empty());
  EXPECT_EQ(metric(h, "toonbox_ready"), 0);
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#1\"}"), 0);
  EXPECT_EQ(metric(h, "toonbox_device_in_rotation{device=\"cpu#2\"}"), 0);
  // Jobs are refused the same way.
  httplib::MultipartFormDataItems items = {{"images", png_bytes(20, 20), "a.png", "image/png"}};
  auto job = h.client()->Post("/api/v1/jobs", items);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 503);
  EXPECT_EQ(json_of(job)["error"]["code"], "no_device");
}

TEST(ServerDevices, OneDeviceKeepsItsBehaviourUnderFaults) {
  // A single device is never taken out of rotation: a failure is that request's error.
  server::ServerConfig config;
  config.device_faults = "0:fail-after=1";
  ServerHarness h(config);
  EXPECT_EQ(h.cartoonize(png_bytes(20, 20))->status, 200);
  auto failed = h.cartoonize(png_bytes(20, 20));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503);
  EXPECT_EQ(json_of(failed)["error"]["code"], "unavailable");
  EXPECT_EQ(h.server->scheduler().live_devices(), 1);
  EXPECT_EQ(h.client()->Get("/health/ready")->status, 200);
  EXPECT_EQ(metric(h, "toonbox_images_running{device=\"cpu\"}"), 0);
  EXPECT_EQ(metric(h, "toonbox_queue_depth{device=\"cpu\"}"), 0);
}

TEST(ServerDevices, ABadFaultRuleStopsTheStart) {
  ScopedModelsDir models;
  server::ServerConfig config;
  config.port = 0;
  config.default_model = "classic";
  config.device_faults = "2:delay=5";
  DeviceSelection cpu;
  cpu.backend = std::make_shared<HookBackend>(std::make_shared<Hooks>(), false);
  server::Server s(config, std::vector<DeviceSelection>{cpu, cpu});
  const Status started = s.start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("names worker 2 of 2"), std::string::npos) << started.message();
}

TEST(DeviceRotationRule, LostRetiresAtOnceInternalAfterThreeAndOomOnlyWhereItCounts) {
  DeviceRotation folder(2);
  DeviceRotation::Verdict v = folder.judge(0, unavailable("gone"));
  EXPECT_TRUE(v.retry_elsewhere);
  EXPECT_EQ(v.retire, "gone");
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(folder.judge(1, out_of_memory("full")).retire.empty());
  EXPECT_NE(folder.judge(1, out_of_memory("full")).retire.find("3 images in a row"), std::string::npos);

  DeviceRotation::Options no_oom;
  no_oom.oom_counts = false;
  DeviceRotation server(2, no_oom);
  for (int i = 0; i < 5; ++i) {
    v = server.judge(0, out_of_memory("full"));
    EXPECT_TRUE(v.retry_elsewhere);
    EXPECT_TRUE(v.retire.empty());
  }
  server.judge(1, internal_error("xid"));
  server.judge(1, internal_error("xid"));
  server.judge(1, Status::ok());  // a success ends the streak
  EXPECT_TRUE(server.judge(1, internal_error("xid")).retire.empty());
  EXPECT_FALSE(server.judge(1, invalid_argument("bad image")).retry_elsewhere);  // the image's own fault

  int left = -1;
  EXPECT_TRUE(server.retire(0, "why", &left));
  EXPECT_EQ(left, 1);
  EXPECT_FALSE(server.retire(0, "again"));
  EXPECT_TRUE(server.someone_can_try(0));
  EXPECT_FALSE(server.someone_can_try(DeviceRotation::bit(1)));
  EXPECT_FALSE(DeviceRotation(1).judge(0, unavailable("gone")).retry_elsewhere);  // one device: as before
  EXPECT_EQ(rotation_tail(2, "requests", "x"), "its requests go to the 2 other devices");
  EXPECT_EQ(rotation_tail(0, "requests", "not ready"), "no device left: not ready");
}

TEST(DeviceFaultsHook, CountsGoodCallsPerWorkerAndNamesTheHook) {
  auto faults = DeviceFaults::parse("1:fail-after=2:oom,*:delay=1", {"cuda:0", "cuda:1"});
  ASSERT_TRUE(faults.is_ok()) << faults.status().to_string();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(faults->before_call(0).is_ok());
  EXPECT_TRUE(faults->before_call(1).is_ok());
  EXPECT_TRUE(faults->before_call(1).is_ok());
  const Status third = faults->before_call(1);
  EXPECT_EQ(third.code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(third.message(), "TOONBOX_TEST_DEVICE_FAULTS made device cuda:1 fail after 2 calls (out of memory)");
  EXPECT_EQ(DeviceFaults::parse("x:delay=1", {"cpu"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DeviceFaults::parse("-2:delay=1", {"cpu"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(DeviceFaults::parse("", {"cpu"})->empty());
}

}  // namespace
}  // namespace toonbox::server_test
