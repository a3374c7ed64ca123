// The two renderings of a report: the readable one (status tag per line, fix under a
// failure, verdict last) and the JSON object for machines.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "doctor/report_format.h"
#include "doctor_test_support.h"

namespace toonbox::doctor {
namespace {

using testing::contains;
using testing::Scenario;

TEST(DoctorReportText, ShowsStatusFixAndVerdict) {
  Scenario s;
  s.add_healthy_machine();
  s.add_kernel_module("535.104.05");
  s.stub("STUB_DRIVER_VERSION", "535.104.05");
  s.stub("STUB_CUDA_DRIVER_VERSION", "12020");
  const std::string text = render_text(s.run(), /*verbose=*/false);
  EXPECT_TRUE(contains(
      text, "\nHardware\n  [ ok ] 1 NVIDIA GPU(s) on the PCI bus: 0000:01:00.0 [10de:2335]\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "\nSystem\n  [ ok ] toonbox built with CUDA 13.0, cuDNN 9.19.0; GPU code: "
                       "sm_80 sm_86 sm_89 sm_90 + PTX compute_90\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "  [FAIL] driver 535.104.05 supports CUDA 12.2, but toonbox's CUDA 13.0 "
                       "runtime needs driver >= 580.65.06"));
  EXPECT_TRUE(contains(text, "\n         fix: install NVIDIA driver >= 580.65.06"));
  EXPECT_TRUE(contains(text, "\nFramework\n"));
  EXPECT_FALSE(contains(text, "GPU-a0a1"));  // UUIDs only with --verbose
  const std::string last_line = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(
      last_line,
      "GPU: not usable — driver 535.104.05 supports CUDA 12.2, but toonbox's CUDA 13.0 runtime "
      "needs "
      "driver >= 580.65.06 ('CUDA driver version is insufficient for CUDA runtime version')\n");
}

TEST(DoctorReportText, VerboseShowsDetails) {
  Scenario s;
  s.add_healthy_machine();
  EXPECT_TRUE(contains(render_text(s.run(), /*verbose=*/true),
                       "         GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadae00\n"));
}

TEST(DoctorReportJson, CarriesChecksVerdictAndFacts) {
  Scenario s;
  s.add_healthy_machine();
  s.use_fake_plugin();
  const nlohmann::ordered_json j = render_json(s.run());
  EXPECT_EQ(j["schema"], "toonbox.doctor/1");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["verdict"]["status"], "usable");
  EXPECT_EQ(j["verdict"]["summary"], "GPU: active — NVIDIA H200 (cuda:0), fp32+fp16 ok");
  ASSERT_EQ(j["sections"].size(), 3u);
  EXPECT_EQ(j["sections"][0]["name"], "Hardware");
  EXPECT_EQ(j["sections"][0]["checks"][0]["id"], "hardware.pci");
  EXPECT_EQ(j["sections"][0]["checks"][0]["status"], "ok");
  EXPECT_EQ(j["facts"]["driver"]["version"], "580.65.06");
  EXPECT_EQ(j["facts"]["driver"]["cuda"], "13.0");
  EXPECT_EQ(j["facts"]["cuda_devices"][0]["compute_capability"], "9.0");
  EXPECT_EQ(j["facts"]["nvml_devices"][0]["mig"], false);
  EXPECT_EQ(j["facts"]["libraries"].size(), 4u);
  EXPECT_EQ(j["facts"]["framework"]["smoke_tests"][0]["gemm_tflops"], 612.5);
  EXPECT_FALSE(j.contains("pytorch_verdict"));
}

TEST(DoctorReportJson, FailingChecksCarryTheirFix) {
  Scenario s;
  s.add_gpu_on_pci();
  const nlohmann::ordered_json j = render_json(s.run());
  EXPECT_EQ(j["verdict"]["status"], "not_usable");
  bool found = false;
  for (const auto& c : j["sections"][0]["checks"]) {
    if (c["id"] != "hardware.cuda_driver") continue;
    found = true;
    EXPECT_EQ(c["status"], "fail");
    EXPECT_TRUE(c.contains("fix"));
    EXPECT_TRUE(c["details"][0].get<std::string>().find("libcuda.so.1 not found in ") == 0);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(j["facts"]["driver"]["libcuda"]["loaded"], false);
}

}  // namespace
}  // namespace toonbox::doctor
