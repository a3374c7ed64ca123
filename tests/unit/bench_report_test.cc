// bench's pipeline verdict and report writers on constructed results: which stage binds,
// a device stage that is mostly host work, the Markdown table's shape and the JSON's
// treatment of rows that did not run.
#include <gtest/gtest.h>

#include "bench/pipeline_mode.h"
#include "bench/report_json.h"
#include "bench/report_markdown.h"

namespace toonbox::bench {
namespace {

TEST(BenchPipelineVerdict, TheBusiestStageBinds) {
  PipelineResult p;
  p.device_utilisation = 0.4;
  p.encode_utilisation = 0.95;
  p.decode_utilisation = 0.2;
  p.device_stage_ms_per_image = 10;
  p.model_ms_per_image = 9;
  judge_pipeline(&p);
  EXPECT_EQ(p.bound_by, "encode");
  EXPECT_TRUE(p.host_bound);
  EXPECT_EQ(p.verdict.rfind("host-bound: the encode threads were busy 95%", 0), 0u) << p.verdict;
}

TEST(BenchPipelineVerdict, ABusyDeviceStageThatIsMostlyHostWorkIsHostBound) {
  // Issue 14's H200 figures: 37 ms per image in the device stage for a 3.6 ms model.
  PipelineResult p;
  p.device_utilisation = 0.97;
  p.encode_utilisation = 0.5;
  p.device_stage_ms_per_image = 37;
  p.model_ms_per_image = 3.6;
  judge_pipeline(&p);
  EXPECT_EQ(p.bound_by, "device");
  EXPECT_TRUE(p.host_bound);
  EXPECT_NE(p.verdict.find("host work in the device worker"), std::string::npos) << p.verdict;
  p.model_ms_per_image = 30;
  judge_pipeline(&p);
  EXPECT_FALSE(p.host_bound);
  EXPECT_EQ(p.verdict.rfind("device-bound", 0), 0u) << p.verdict;
}

BenchRun two_rows() {
  BenchRun run;
  run.options.task = "cartoonize";
  run.started = "2026-12-01T00:00:00Z";
  run.input = "generated test image";
  ConfigResult gpu;
  gpu.config = {"cartoonize", "whitebox", "cuda:0", "fp16", 1024, 16, 20, 64};
  gpu.wall_ms = summarize({20, 21, 22});
  gpu.compute_ms = summarize({15, 15, 16});
  gpu.images_per_s = 16 * 1000 / 21.0;
  gpu.batch_ran = 16;
  gpu.first_call_ms = 900;
  gpu.compile_ms = 700;
  gpu.device_memory_measured = true;
  gpu.peak_device_bytes = size_t{3} << 30;
  gpu.peak_rss_bytes = size_t{600} << 20;
  gpu.speedup_vs_cpu = 152.4;
  gpu.agreement.measured = true;
  gpu.agreement.psnr_db = 70.25;
  gpu.agreement.ssim = 0.99991;
  gpu.agreement.max_abs = 2;
  gpu.agreement.floor_db = 40;
  ConfigResult absent;
  absent.config = {"cartoonize", "whitebox", "cuda:1", "fp16", 1024, 16, 20, 0};
  absent.outcome = Outcome::kUnavailable;
  absent.error = "--device cuda:1 cannot be used: cuda:1 does not exist (1 device(s) visible)";
  run.results = {gpu, absent};
  return run;
}

TEST(BenchReport, MarkdownHasTheTableAndExplainsWhatDidNotRun) {
  const std::string md = bench_markdown(two_rows(), 0);
  EXPECT_NE(
      md.find("| whitebox | cuda:0 | fp16 | 1024² | 16 | 1.31 ms | 21.0 ms / 22.0 ms | 15.0 ms | "
              "761.9 | 152.4x | "
              "900 ms (700 ms) | — | 3.00 GiB | 600 MiB | 70.2 dB | 0.9999 | 2 | ok (≥ 40 dB) |"),
      std::string::npos)
      << md;
  EXPECT_EQ(md.find("| whitebox | cuda:1 |"), std::string::npos)
      << "unavailable rows are listed, not tabled";
  EXPECT_NE(md.find("- cartoonize whitebox cuda:1 fp16 1024x1024 batch 16 (unavailable): --device "
                    "cuda:1 cannot be used"),
            std::string::npos)
      << md;
}

TEST(BenchReport, JsonKeepsEveryKeyAndNullsWhatWasNotMeasured) {
  const auto j = bench_json(two_rows(), 0);
  EXPECT_EQ(j["schema"], "toonbox.bench/1");
  const auto& ok = j["results"][0];
  const auto& absent = j["results"][1];
  EXPECT_EQ(ok.size(), absent.size()) << "the same keys in every row";
  EXPECT_EQ(ok["warm_ms"]["wall"]["median"], 21.0);
  EXPECT_EQ(ok["warm_ms"]["wall"]["p90"], 22.0);
  EXPECT_EQ(ok["peak_device_bytes"], size_t{3} << 30);
  EXPECT_EQ(absent["outcome"], "unavailable");
  EXPECT_TRUE(absent["warm_ms"].is_null());
  EXPECT_TRUE(absent["compile_ms"].is_null());
  EXPECT_TRUE(absent["peak_device_bytes"].is_null());
  EXPECT_NE(absent["error"].get<std::string>().find("does not exist"), std::string::npos);
}

TEST(BenchReport, StatsUseTheNearestRankP90) {
  const Stats s = summarize({5, 1, 4, 2, 3, 10, 6, 7, 8, 9});
  EXPECT_EQ(s.n, 10);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.p90, 9);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(summarize({3}).p90, 3);
}

TEST(BenchReport, TimesAndBytesReadWell) {
  EXPECT_EQ(format_ms(0.843), "0.84 ms");
  EXPECT_EQ(format_ms(12.34), "12.3 ms");
  EXPECT_EQ(format_ms(1520), "1.52 s");
  EXPECT_EQ(format_ms(0), "—");
  EXPECT_EQ(format_bytes(size_t{812} << 20), "812 MiB");
  EXPECT_EQ(format_bytes(0), "—");
}

}  // namespace
}  // namespace toonbox::bench
