// The folder runner's stages: same-size grouping into device calls, a bad file failing
// alone, a failed batch retried image by image, stopping cleanly, and the real
// CartoonPipeline (built-in style, CPU) behind it.
#include <gtest/gtest.h>

#include <mutex>

#include "folder/folder_plan.h"
#include "folder/folder_runner.h"
#include "folder_test_util.h"
#include "engine/device_select.h"
#include "image/atomic_temp_files.h"
#include "pipeline/cartoon_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox::folder {
namespace {

using folder_test::TempDir;

// Inverts colours; records every call's size and whether the call mixed sizes.
struct FakeDevice {
  std::vector<int> calls;
  bool mixed_sizes = false;
  Result<std::vector<Image>> operator()(const std::vector<const Image*>& images, std::vector<ImageNote>* = nullptr) {
    calls.push_back(static_cast<int>(images.size()));
    std::vector<Image> out;
    for (const Image* in : images) {
      if (in->width != images[0]->width || in->height != images[0]->height) mixed_sizes = true;
      Image o = *in;
      for (auto& v : o.rgb) v = static_cast<uint8_t>(255 - v);
      out.push_back(std::move(o));
    }
    return out;
  }
};

std::vector<PlannedImage> plan(const TempDir& t, bool recursive = false) {
  FolderPlanOptions o;
  o.input_dir = t / "in";
  o.output_dir = t / "out";
  o.recursive = recursive;
  auto p = plan_folder(o);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  return p.is_ok() ? p->todo : std::vector<PlannedImage>{};
}

TEST(FolderRunner, GroupsSameSizeImagesIntoDeviceCalls) {
  TempDir t;
  // In name order: 32,48,32,48,32,48,32,32,32 (six 32x24, three 48x40).
  const int widths[] = {32, 48, 32, 48, 32, 48, 32, 32, 32};
  for (int i = 0; i < 9; ++i)
    folder_test::write_image(t / ("in/img" + std::to_string(i) + ".png"), widths[i], widths[i] == 32 ? 24 : 40);
  FakeDevice device;
  RunnerOptions options;
  options.batch_size = 4;
  options.max_wait_ms = 10000;  // never flush on a timeout: the grouping is then exact
  std::vector<ImageResult> results;
  const auto todo = plan(t);
  RunSummary s = run_folder(todo, std::ref(device), options, [&](const ImageResult& r) { results.push_back(r); });
  EXPECT_EQ(s.ok, 9);
  EXPECT_EQ(s.failed, 0);
  EXPECT_FALSE(device.mixed_sizes);
  // Four 32x24 fill a batch; at the end the three 48x40 and the last two 32x24 go.
  EXPECT_EQ(s.device_calls, (std::map<int, int>{{2, 1}, {3, 1}, {4, 1}}));
  ASSERT_EQ(results.size(), 9u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.status.is_ok()) << r.status.message();
    EXPECT_GE(r.batch, 2);
    auto out = read_image_file(r.image->output, {});
    ASSERT_TRUE(out.is_ok()) << out.status().message();
    EXPECT_EQ(out->width, r.width);
  }
  EXPECT_GT(s.decode_busy_ms, 0);
  EXPECT_GT(s.encode_busy_ms, 0);
}

TEST(FolderRunner, BatchSizeOneCallsOncePerImage) {
  TempDir t;
  for (int i = 0; i < 5; ++i) folder_test::write_image(t / ("in/" + std::to_string(i) + ".png"), 16, 16);
  FakeDevice device;
  RunnerOptions options;
  const auto todo = plan(t);
  RunSummary s = run_folder(todo, std::ref(device), options, nullptr);
  EXPECT_EQ(s.ok, 5);
  EXPECT_EQ(device.calls, (std::vector<int>(5, 1)));
}

TEST(FolderRunner, CorruptFileInTheMiddleFailsAloneAndIsRecorded) {
  TempDir t;
  folder_test::write_image(t / "in/a.png", 20, 10);
  folder_test::write_image(t / "in/b.png", 20, 10);
  folder_test::write_bytes(t / "in/c.png", "\x89PNG\r\n\x1a\n but the rest is garbage");
  folder_test::write_bytes(t / "in/d.jpg", "");
  folder_test::write_image(t / "in/e.png", 20, 10);
  FakeDevice device;
  RunnerOptions options;
  options.batch_size = 2;
  options.decode_threads = 2;
  options.encode_threads = 2;
  const auto todo = plan(t);
  int reported = 0;
  RunSummary s = run_folder(todo, std::ref(device), options, [&](const ImageResult&) { ++reported; });
  EXPECT_EQ(reported, 5);
  EXPECT_EQ(s.ok, 3);
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.not_run, 0);
  ASSERT_EQ(s.failures.size(), 2u);
  for (const auto& f : s.failures) {
    EXPECT_NE(f.status.message().find(f.image->input), std::string::npos) << "the error names the file";
    EXPECT_EQ(f.batch, 0) << "never reached the device";
  }
  EXPECT_EQ(folder_test::files_under(t / "out"), (std::vector<std::string>{"a.png", "b.png", "e.png"}));
}

TEST(FolderRunner, FailedBatchIsRetriedImageByImage) {
  TempDir t;
  for (int i = 0; i < 4; ++i) folder_test::write_image(t / ("in/" + std::to_string(i) + ".png"), 16, 8);
  // Image 2 is "poisoned": the device refuses any call that contains it.
  ASSERT_TRUE(write_image_file(t / "in/2.png", image_test::make_solid(16, 8, 255, 0, 0)).is_ok());
  std::vector<int> calls;
  DeviceFn device = [&](const std::vector<const Image*>& images, std::vector<ImageNote>*) -> Result<std::vector<Image>> {
    calls.push_back(static_cast<int>(images.size()));
    for (const Image* i : images)
      if (i->rgb[0] == 255 && i->rgb[1] == 0 && i->rgb[2] == 0) return out_of_memory("device says no");
    std::vector<Image> out;
    for (const Image* i : images) out.push_back(*i);
    return out;
  };
  RunnerOptions options;
  options.batch_size = 4;
  options.max_wait_ms = 10000;
  const auto todo = plan(t);
  RunSummary s = run_folder(todo, device, options, nullptr);
  EXPECT_EQ(s.ok, 3);
  ASSERT_EQ(s.failed, 1);
  EXPECT_EQ(s.failures[0].image->relative, "2.png");
  EXPECT_NE(s.failures[0].status.message().find("device says no"), std::string::npos);
  EXPECT_EQ(s.failures[0].status.code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(calls, (std::vector<int>{4, 1, 1, 1, 1}));
}

TEST(FolderRunner, DeviceStageExceptionsBecomeFailures) {
  TempDir t;
  folder_test::write_image(t / "in/a.png", 8, 8);
  DeviceFn device = [](const std::vector<const Image*>&, std::vector<ImageNote>*) -> Result<std::vector<Image>> {
    throw std::runtime_error("boom");
  };
  const auto todo = plan(t);
  RunSummary s = run_folder(todo, device, RunnerOptions{}, nullptr);
  EXPECT_EQ(s.failed, 1);
  EXPECT_NE(s.failures[0].status.message().find("boom"), std::string::npos);
}

TEST(FolderRunner, StopFinishesWritesAndLeavesNoPartialFiles) {
  TempDir t;
  for (int i = 0; i < 30; ++i) folder_test::write_image(t / ("in/" + std::to_string(100 + i) + ".png"), 24, 24);
  std::atomic<bool> stop{false};
  FakeDevice device;
  RunnerOptions options;
  options.stop = &stop;
  int seen = 0;
  const auto todo = plan(t);
  RunSummary s = run_folder(todo, std::ref(device), options, [&](const ImageResult&) {
    if (++seen == 3) stop = true;  // as a SIGINT handler would
  });
  EXPECT_TRUE(s.stopped);
  EXPECT_EQ(s.failed, 0);
  EXPECT_GE(s.ok, 3);
  EXPECT_GT(s.not_run, 0);
  EXPECT_EQ(s.ok + s.not_run, 30);
  const auto files = folder_test::files_under(t / "out");
  EXPECT_EQ(static_cast<int>(files.size()), s.ok) << "only complete outputs, no temporary files";
  for (const auto& f : files) EXPECT_TRUE(read_image_file(t / ("out/" + f), {}).is_ok()) << f;
}

TEST(FolderRunner, WritesThroughTheCartoonPipelineOnTheCpu) {
  TempDir t;
  folder_test::write_image(t / "in/a.png", 40, 30);
  folder_test::write_image(t / "in/b.jpg", 40, 30);
  folder_test::write_image(t / "in/sub/c.webp", 33, 21);
  auto device = select_device("cpu", "auto");
  ASSERT_TRUE(device.is_ok()) << device.status().message();
  std::string note;
  auto models = load_cartoon_models("classic", "", CartoonMode::kWhole, device.value(), &note);
  ASSERT_TRUE(models.is_ok()) << models.status().message();
  CartoonPipeline pipeline(std::move(models).value());
  CartoonOptions cartoon;
  cartoon.mode = CartoonMode::kWhole;
  DeviceFn run = [&](const std::vector<const Image*>& images, std::vector<ImageNote>*) {
    return pipeline.process_batch(images, cartoon);
  };
  RunnerOptions options;
  options.batch_size = 2;
  const auto todo = plan(t, /*recursive=*/true);
  RunSummary s = run_folder(todo, run, options, nullptr);
  EXPECT_EQ(s.ok, 3) << (s.failures.empty() ? "" : s.failures[0].status.message());
  EXPECT_EQ(folder_test::files_under(t / "out"), (std::vector<std::string>{"a.png", "b.png", "sub/c.png"}));
  auto c = read_image_file(t / "out/sub/c.png", {});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->width, 33);
  EXPECT_EQ(c->height, 21);
}

}  // namespace
}  // namespace toonbox::folder

namespace toonbox {
namespace {

folder::RunnerOptions threads_for(bool gpu, int cores, image::ImageFormat format) {
  folder::RunnerOptions options;
  options.encode.format = format;
  folder::choose_stage_threads(gpu, cores, &options);
  return options;
}

// The measured splits (folder_runner.cc): a JPEG folder's decoders, a PNG folder's encoders.
TEST(FolderStageThreads, GpuRunsSizeTheCodecsToTheCoresAndTheFormat) {
  const folder::RunnerOptions cpu = threads_for(false, 16, image::ImageFormat::kPng);
  EXPECT_EQ(cpu.decode_threads, 1);
  EXPECT_EQ(cpu.encode_threads, 1);
  const folder::RunnerOptions jpeg = threads_for(true, 16, image::ImageFormat::kJpeg);
  EXPECT_EQ(jpeg.decode_threads, 4);
  EXPECT_EQ(jpeg.encode_threads, 8);
  const folder::RunnerOptions png = threads_for(true, 16, image::ImageFormat::kPng);
  EXPECT_EQ(png.decode_threads, 3);
  EXPECT_EQ(png.encode_threads, 12);
  const folder::RunnerOptions webp = threads_for(true, 16, image::ImageFormat::kWebp);
  EXPECT_EQ(webp.encode_threads, 12);
  for (image::ImageFormat f : {image::ImageFormat::kJpeg, image::ImageFormat::kPng}) {
    const folder::RunnerOptions one = threads_for(true, 1, f);
    EXPECT_EQ(one.decode_threads, 1);
    EXPECT_EQ(one.encode_threads, 1);
  }
}

}  // namespace
}  // namespace toonbox
