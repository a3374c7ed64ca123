// bench's configuration matrix: list parsing with messages, the defaults per machine,
// and the order rows run in (each model and size starts with its CPU fp32 reference).
#include <gtest/gtest.h>

#include "bench/bench_options.h"
#include "engine/device_list.h"

using namespace toonbox::engine;

namespace toonbox::bench {
namespace {

TEST(BenchOptions, ListsAreCheckedItemByItem) {
  EXPECT_EQ(*parse_int_list("--sizes", "512,1024", 16, 8192), (std::vector<int>{512, 1024}));
  for (const char* bad : {"", "512,", "0", "99999", "5x", "512,512", "-3"}) {
    auto r = parse_int_list("--sizes", bad, 16, 8192);
    EXPECT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("--sizes: ", 0), 0u) << r.status().message();
  }
  EXPECT_EQ(*parse_name_list("--model", "a,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(parse_name_list("--model", "a,,b").is_ok());
  EXPECT_FALSE(parse_name_list("--model", "a,a").is_ok());
  EXPECT_EQ(*normalize_device("cuda"), "cuda:0");
  EXPECT_EQ(*normalize_device("cuda:02"), "cuda:2");
  EXPECT_FALSE(normalize_device("gpu").is_ok());
  EXPECT_FALSE(normalize_device("cuda:").is_ok());
}

TEST(BenchOptions, CpuDefaultsAreSmallAndSaySo) {
  BenchOptions o;
  std::vector<std::string> notes;
  ASSERT_TRUE(apply_defaults(&o, false, {"classic"}, &notes).is_ok());
  EXPECT_EQ(o.devices, (std::vector<std::string>{"cpu"}));
  EXPECT_EQ(o.precisions, (std::vector<std::string>{"fp32"}));
  EXPECT_EQ(o.sizes, (std::vector<int>{512}));
  EXPECT_EQ(o.batches, (std::vector<int>{1}));
  EXPECT_EQ(o.cpu_runs, 5);
  EXPECT_EQ(o.models, (std::vector<std::string>{"classic"}));
  EXPECT_GE(notes.size(), 5u) << "every default is announced";
}

TEST(BenchOptions, GpuDefaultsMeasureBothDevicesAndKeepTheCpuAtBatchOne) {
  BenchOptions o;
  std::vector<std::string> notes;
  ASSERT_TRUE(apply_defaults(&o, true, {"whitebox", "classic"}, &notes).is_ok());
  EXPECT_EQ(o.devices, (std::vector<std::string>{"cuda:0", "cpu"}));
  EXPECT_EQ(o.precisions, (std::vector<std::string>{"fp32", "fp16"}));
  EXPECT_EQ(o.batches, (std::vector<int>{1, 8}));
  EXPECT_EQ(o.cpu_batches, (std::vector<int>{1}));
  EXPECT_EQ(o.runs, 20);
  EXPECT_EQ(o.cpu_runs, 5);
  o.pipeline_images = 0;
  const std::vector<BenchConfig> m = expand_matrix(o, &notes);
  // 2 models x 2 sizes x (cpu fp32 b1 + cuda 2 precisions x 2 batches).
  ASSERT_EQ(m.size(), 2u * 2 * 5);
  EXPECT_EQ(m[0].key(), "cartoonize/whitebox/cpu/fp32/512/b1");
  EXPECT_EQ(m[1].key(), "cartoonize/whitebox/cuda:0/fp32/512/b1");
  EXPECT_EQ(m[4].key(), "cartoonize/whitebox/cuda:0/fp16/512/b8");
  EXPECT_EQ(m[5].key(), "cartoonize/whitebox/cpu/fp32/1024/b1");
  EXPECT_EQ(m[0].runs, 5);
  EXPECT_EQ(m[1].runs, 20);
  EXPECT_EQ(m[0].pipeline_images, 4);
  EXPECT_EQ(m[4].pipeline_images, 64);
  EXPECT_NE(std::find(notes.begin(), notes.end(),
                      "cpu fp16/tf32 is not measured: the CPU backend computes in fp32 only"),
            notes.end());
}

TEST(BenchOptions, RunsGivenApplyToTheCpuToo) {
  BenchOptions o;
  o.runs = 2;
  o.devices = {"cpu"};
  std::vector<std::string> notes;
  ASSERT_TRUE(apply_defaults(&o, false, {"classic"}, &notes).is_ok());
  EXPECT_EQ(o.cpu_runs, 2);
}

TEST(BenchOptions, CpuFp16AskedAloneStaysSoItsRowCanSayWhy) {
  BenchOptions o;
  o.devices = {"cpu"};
  o.precisions = {"fp16"};
  std::vector<std::string> notes;
  ASSERT_TRUE(apply_defaults(&o, false, {"classic"}, &notes).is_ok());
  const auto m = expand_matrix(o, &notes);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].precision, "fp16");
}

TEST(BenchOptions, BadListsAndNoModelAreErrors) {
  std::vector<std::string> notes;
  BenchOptions o;
  o.precisions = {"fp8"};
  EXPECT_EQ(apply_defaults(&o, false, {"classic"}, &notes).code(), StatusCode::kInvalidArgument);
  BenchOptions twice;
  twice.devices = {"cuda", "cuda:0"};
  EXPECT_EQ(apply_defaults(&twice, false, {"classic"}, &notes).code(),
            StatusCode::kInvalidArgument);
  BenchOptions none;
  none.task = "run";
  EXPECT_EQ(apply_defaults(&none, false, {}, &notes).code(), StatusCode::kNotFound);
}

// Runs on the GPU machine too (the name has Cuda): there it must list every visible GPU.
TEST(BenchOptions, CudaAllIsEveryVisibleGpuEachItsOwnRows) {
  std::vector<std::string> notes;
  BenchOptions o;
  o.devices = {"cuda:all", "cpu"};
  const Status s = apply_defaults(&o, true, {"classic"}, &notes);
  auto gpus = expand_device_list("cuda:all");
  if (!gpus.is_ok()) {
    // No GPU here: the same error folders and the server give, naming the failing layer.
    EXPECT_EQ(s.message(), gpus.status().message());
    return;
  }
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  std::vector<std::string> want = gpus.value();
  want.push_back("cpu");
  EXPECT_EQ(o.devices, want);
}

}  // namespace
}  // namespace toonbox::bench
