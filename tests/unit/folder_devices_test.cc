// Several device workers behind one folder queue (folder_runner.h): work stealing, and a
// device that fails mid-run (lost, out of memory, a device error) taken out of rotation
// with its images retried on the others: every image still produced exactly once.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "folder/folder_plan.h"
#include "folder/folder_runner.h"
#include "folder/test_device_hook.h"
#include "folder_test_util.h"

using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox::folder {
namespace {

using folder_test::TempDir;

// n images of 16x12 whose first pixel's red value is their number, so a device knows
// which image it was given.
std::vector<PlannedImage> numbered_folder(const TempDir& t, int n) {
  for (int i = 0; i < n; ++i) {
    Image img;
    img.width = 16;
    img.height = 12;
    img.rgb.assign(16 * 12 * 3, 100);
    img.rgb[0] = static_cast<uint8_t>(i);
    char name[32];
    std::snprintf(name, sizeof name, "in/%03d.png", i);
    std::filesystem::create_directories(std::filesystem::path(t / name).parent_path());
    EXPECT_TRUE(write_image_file(t / name, img).is_ok());
  }
  FolderPlanOptions o;
  o.input_dir = t / "in";
  o.output_dir = t / "out";
  auto p = plan_folder(o);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  return p.is_ok() ? p->todo : std::vector<PlannedImage>{};
}

// Counts, over all devices, how often each image number was produced successfully.
struct Ledger {
  std::mutex mutex;
  std::map<int, int> produced;
};

// A device: inverts the pixels (keeping the number in pixel 0) after `delay_ms`; from
// call `fail_from` on (0-based) every call fails with `failure`; `fails_on` names image
// numbers it always fails with `failure`.
struct Fake {
  Ledger* ledger;
  int delay_ms = 0;
  int fail_from = -1;
  Status failure = unavailable("fake device lost");
  std::set<int> fails_on;
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

  Result<std::vector<Image>> operator()(const std::vector<const Image*>& images, std::vector<ImageNote>*) const {
    if (delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const int call = (*calls)++;
    if (fail_from >= 0 && call >= fail_from) return failure;
    for (const Image* in : images)
      if (fails_on.count(in->rgb[0])) return failure;
    std::vector<Image> out;
    std::lock_guard lock(ledger->mutex);
    for (const Image* in : images) {
      Image o = *in;
      for (size_t i = 1; i < o.rgb.size(); ++i) o.rgb[i] = static_cast<uint8_t>(255 - o.rgb[i]);
      ++ledger->produced[in->rgb[0]];
      out.push_back(std::move(o));
    }
    return out;
  }
};

struct Outcome {
  RunSummary summary;
  std::map<std::string, int> reported;  // input -> on_result calls
  std::map<std::string, ImageResult> last;
  std::vector<std::string> retired;     // on_device_retired, in order
};

Outcome run(const std::vector<PlannedImage>& todo, const std::vector<DeviceWorker>& devices, int batch = 1) {
  Outcome o;
  RunnerOptions options;
  options.batch_size = batch;
  options.max_wait_ms = 5;
  options.decode_threads = 2;
  options.encode_threads = 2;
  std::mutex m;
  options.on_device_retired = [&](const DeviceStats& d, int) {
    std::lock_guard lock(m);
    o.retired.push_back(d.id);
  };
  o.summary = run_folder(todo, devices, options, [&](const ImageResult& r) {
    std::lock_guard lock(m);
    ++o.reported[r.image->input];
    o.last[r.image->input] = r;
  });
  return o;
}

// Every image reported once, written once with the right pixels, produced once.
void expect_each_exactly_once(const std::vector<PlannedImage>& todo, const Outcome& o, Ledger& ledger) {
  ASSERT_EQ(o.reported.size(), todo.size());
  for (const auto& [input, n] : o.reported) EXPECT_EQ(n, 1) << input;
  for (size_t i = 0; i < todo.size(); ++i) {
    EXPECT_EQ(ledger.produced[static_cast<int>(i)], 1) << todo[i].relative;
    auto out = read_image_file(todo[i].output, {});
    ASSERT_TRUE(out.is_ok()) << todo[i].output << ": " << out.status().message();
    EXPECT_EQ(out->rgb[0], i);
    EXPECT_EQ(out->rgb[1], 255 - 100);
  }
}

TEST(FolderDevices, WorkersShareOneQueueAndASlowOneTakesLess) {
  TempDir t;
  const auto todo = numbered_folder(t, 40);
  Ledger ledger;
  Fake fast{&ledger}, slow{&ledger};
  fast.delay_ms = 2;
  slow.delay_ms = 40;
  const Outcome o = run(todo, {{"fast", fast}, {"slow", slow}});
  EXPECT_EQ(o.summary.ok, 40);
  EXPECT_EQ(o.summary.failed, 0);
  expect_each_exactly_once(todo, o, ledger);
  ASSERT_EQ(o.summary.devices.size(), 2u);
  const DeviceStats &f = o.summary.devices[0], &s = o.summary.devices[1];
  EXPECT_EQ(f.images + s.images, 40);
  EXPECT_GT(s.images, 0) << "the slow device took no work at all";
  EXPECT_GT(f.images, 2 * s.images) << "fast " << f.images << ", slow " << s.images;
  EXPECT_TRUE(f.retired.empty());
  EXPECT_TRUE(o.retired.empty());
  // The per-image record says which device made it; the totals add up.
  int by_fast = 0;
  for (const auto& [input, r] : o.last) by_fast += r.device == "fast";
  EXPECT_EQ(by_fast, f.images);
  EXPECT_EQ(o.summary.device_calls.at(1), 40);
}

TEST(FolderDevices, LostDeviceIsRetiredAndItsImagesAreRetriedElsewhere) {
  TempDir t;
  const auto todo = numbered_folder(t, 30);
  Ledger ledger;
  Fake good{&ledger}, dying{&ledger};
  good.delay_ms = 5;
  dying.delay_ms = 5;
  dying.fail_from = 3;  // three good batches, then lost, holding a batch in flight
  const Outcome o = run(todo, {{"gpu0", good}, {"gpu1", dying}}, /*batch=*/2);
  EXPECT_EQ(o.summary.ok, 30);
  EXPECT_EQ(o.summary.failed, 0);
  expect_each_exactly_once(todo, o, ledger);
  const DeviceStats& d = o.summary.devices[1];
  EXPECT_NE(d.retired.find("fake device lost"), std::string::npos) << d.retired;
  EXPECT_EQ(o.retired, std::vector<std::string>{"gpu1"});
  EXPECT_GE(d.retried_elsewhere, 1);  // its in-flight batch went to gpu0
  EXPECT_LE(d.images, 6);
  int retried = 0;
  for (const auto& [input, r] : o.last) retried += r.attempts == 2;
  EXPECT_EQ(retried, d.retried_elsewhere);
  EXPECT_EQ(*dying.calls, 4) << "a lost device must get no more work";
}

TEST(FolderDevices, OutOfMemoryStreakRetiresTheDevice) {
  TempDir t;
  const auto todo = numbered_folder(t, 20);
  Ledger ledger;
  Fake good{&ledger}, full{&ledger};
  good.delay_ms = 3;
  full.fail_from = 0;
  full.failure = out_of_memory("CUDA out of memory at 128 px tiles");
  const Outcome o = run(todo, {{"full", full}, {"good", good}});
  EXPECT_EQ(o.summary.ok, 20);
  expect_each_exactly_once(todo, o, ledger);
  EXPECT_EQ(*full.calls, DeviceHealth::kRetireAfter);
  EXPECT_NE(o.summary.devices[0].retired.find("3 images in a row"), std::string::npos) << o.summary.devices[0].retired;
  EXPECT_NE(o.summary.devices[0].retired.find("out of memory"), std::string::npos);
}

TEST(FolderDevices, AnImageEveryDeviceFailsFailsAloneWithoutRetiringThem) {
  TempDir t;
  const auto todo = numbered_folder(t, 12);
  Ledger ledger;
  Fake a{&ledger}, b{&ledger};
  a.failure = b.failure = out_of_memory("too big for this device");
  a.fails_on = b.fails_on = {5};
  a.delay_ms = b.delay_ms = 2;
  const Outcome o = run(todo, {{"a", a}, {"b", b}});
  EXPECT_EQ(o.summary.ok, 11);
  EXPECT_EQ(o.summary.failed, 1);
  const ImageResult& r = o.last.at(todo[5].input);
  EXPECT_EQ(r.status.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(r.status.message().find("failed on 2 devices"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find(todo[5].input), std::string::npos);
  EXPECT_TRUE(o.retired.empty());
  for (const auto& [input, n] : o.reported) EXPECT_EQ(n, 1);
}

TEST(FolderDevices, ImageErrorsAreNotRetriedOnOtherDevices) {
  TempDir t;
  const auto todo = numbered_folder(t, 6);
  Ledger ledger;
  Fake a{&ledger}, b{&ledger};
  a.failure = b.failure = invalid_argument("this model cannot take 16x12");
  a.fails_on = b.fails_on = {2};
  const Outcome o = run(todo, {{"a", a}, {"b", b}});
  EXPECT_EQ(o.summary.failed, 1);
  EXPECT_EQ(o.last.at(todo[2].input).attempts, 1);
  EXPECT_EQ(*a.calls + *b.calls, 6);
}

TEST(FolderDevices, EveryDeviceLostFailsTheRestWithoutHanging) {
  TempDir t;
  const auto todo = numbered_folder(t, 16);
  Ledger ledger;
  Fake a{&ledger}, b{&ledger};
  a.fail_from = 2;
  b.fail_from = 1;
  a.delay_ms = b.delay_ms = 3;
  const Outcome o = run(todo, {{"a", a}, {"b", b}});
  EXPECT_EQ(o.summary.ok + o.summary.failed, 16);
  EXPECT_EQ(o.summary.ok, 3);
  EXPECT_EQ(o.summary.not_run, 0);
  EXPECT_EQ(o.retired.size(), 2u);
  for (const auto& [input, n] : o.reported) EXPECT_EQ(n, 1) << input;
  for (const auto& [input, r] : o.last)
    if (!r.status.is_ok()) EXPECT_EQ(r.status.code(), StatusCode::kUnavailable) << r.status.message();
}

TEST(FolderDevices, TestHookMakesAWorkerSlowOrFailAndSaysSo) {
  TempDir t;
  const auto todo = numbered_folder(t, 10);
  Ledger ledger;
  std::vector<DeviceWorker> workers = {{"cpu#1", Fake{&ledger}}, {"cpu#2", Fake{&ledger}}};
  ASSERT_TRUE(apply_test_device_rules("1:fail-after=2,0:delay=5", &workers).is_ok());
  const Outcome o = run(todo, workers);
  EXPECT_EQ(o.summary.ok, 10);
  expect_each_exactly_once(todo, o, ledger);
  EXPECT_NE(o.summary.devices[1].retired.find("TOONBOX_TEST_DEVICE_FAULTS made device cpu#2 fail after 2 calls"),
            std::string::npos)
      << o.summary.devices[1].retired;
  EXPECT_EQ(o.summary.devices[1].images, 2);

  std::vector<DeviceWorker> two = {{"a", Fake{&ledger}}, {"b", Fake{&ledger}}};
  EXPECT_EQ(apply_test_device_rules("2:delay=5", &two).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(apply_test_device_rules("1:explode", &two).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(apply_test_device_rules("1:fail-after=2:maybe", &two).code(), StatusCode::kInvalidArgument);
}

TEST(FolderDevices, OneWorkerKeepsTheSingleDeviceBehaviour) {
  // With one device nothing is retried or retired: an out-of-memory image fails where it is.
  TempDir t;
  const auto todo = numbered_folder(t, 5);
  Ledger ledger;
  Fake only{&ledger};
  only.failure = out_of_memory("no room");
  only.fails_on = {1, 2, 3};
  const Outcome o = run(todo, {{"cpu", only}});
  EXPECT_EQ(o.summary.ok, 2);
  EXPECT_EQ(o.summary.failed, 3);
  EXPECT_TRUE(o.retired.empty());
  EXPECT_EQ(*only.calls, 5);
}

}  // namespace
}  // namespace toonbox::folder
