// Streams per GPU (engine/device_list.h): each GPU selection repeated into that many
// workers with a backend each; CPU entries never repeated; out-of-range counts refused;
// the summary line and worker names that folders, the server and bench print.
#include <gtest/gtest.h>

#include "engine/device_list.h"

namespace toonbox::engine {
namespace {

std::vector<DeviceSelection> cpus(int n) {
  std::vector<DeviceSelection> out;
  for (int i = 0; i < n; ++i) {
    auto d = select_device("cpu", "fp32");
    EXPECT_TRUE(d.is_ok()) << d.status().to_string();
    out.push_back(std::move(d).value());
  }
  return out;
}

TEST(DeviceStreams, CpuEntriesAreNotRepeated) {
  auto out = with_gpu_streams(cpus(2), 3);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->size(), 2u);
  EXPECT_EQ(selection_ids(*out), (std::vector<std::string>{"cpu#1", "cpu#2"}));
  // Two CPU workers are two entries of the line, not "2 streams".
  EXPECT_EQ(devices_summary(*out), "cpu (requested), fp32; cpu (requested), fp32");
  EXPECT_EQ(devices_summary(cpus(1)), "cpu (requested), fp32");
}

TEST(DeviceStreams, OutOfRangeIsRefused) {
  for (int bad : {0, -1, kMaxGpuStreams + 1}) {
    auto out = with_gpu_streams(cpus(1), bad);
    ASSERT_FALSE(out.is_ok()) << bad;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("streams per GPU must be 1.." + std::to_string(kMaxGpuStreams)),
              std::string::npos)
        << out.status().message();
  }
}

// On the GPU machine: two streams of cuda:0 are two workers, each with its own backend,
// one device in the summary.
TEST(DeviceStreamsCuda, TwoStreamsOfOneGpu) {
  auto gpu = select_device("cuda:0", "fp16");
  if (!gpu.is_ok()) GTEST_SKIP() << "no usable GPU: " << gpu.status().message();
  auto out = with_gpu_streams({gpu.value(), cpus(1)[0]}, 2);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_NE((*out)[0].backend.get(), (*out)[1].backend.get()) << "the streams share one backend";
  EXPECT_TRUE((*out)[1].is_gpu);
  EXPECT_EQ((*out)[1].precision, Precision::kFloat16);
  EXPECT_EQ((*out)[1].reason, (*out)[0].reason);
  EXPECT_EQ(selection_ids(*out), (std::vector<std::string>{"cuda:0#1", "cuda:0#2", "cpu"}));
  EXPECT_EQ(devices_summary(*out), (*out)[0].summary() + ", 2 streams; " + (*out)[2].summary());
}

}  // namespace
}  // namespace toonbox::engine
