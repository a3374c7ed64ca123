// --compare's rule on constructed reports: an identical run passes, a slowdown beyond
// twice the measured spread is flagged, one within it is not, single samples need 1.5x,
// a row that stopped running and an accuracy drop are regressions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/compare.h"

namespace toonbox::bench {
namespace {

using json = nlohmann::json;

json row(const std::string& key, double median, double p90, double psnr = 60) {
  return {{"key", key},
          {"outcome", "ok"},
          {"compile_ms", 100.0},
          {"warm_ms",
           {{"wall", {{"median", median}, {"p90", p90}}},
            {"compute", {{"median", median * 0.8}, {"p90", p90 * 0.8}}}}},
          {"pipeline", {{"images_per_s", 1000 / median}}},
          {"cold_start", {{"to_output_ms", 500.0}}},
          {"agreement", {{"measured", true}, {"pass", true}, {"psnr_db", psnr}}}};
}

json report(std::vector<json> rows) {
  return {{"schema", "toonbox.bench/1"},
          {"machine", {{"gpus", json::array()}, {"cpu", {{"model", "test cpu"}}}}},
          {"results", rows}};
}

const RowComparison& only(const Comparison& c) {
  EXPECT_EQ(c.rows.size(), 1u);
  return c.rows.at(0);
}

TEST(BenchCompare, AnIdenticalRunPasses) {
  const json r = report({row("a", 10, 10.5)});
  const Comparison c = compare_runs(r, r, "base.json");
  EXPECT_FALSE(c.regression);
  const RowComparison& x = only(c);
  EXPECT_EQ(x.status, "compared");
  ASSERT_EQ(x.metrics.size(), 6u);  // wall, compute, pipeline, compile, cold start, psnr
  for (const MetricComparison& m : x.metrics) {
    EXPECT_DOUBLE_EQ(m.ratio, 1.0) << m.metric;
    EXPECT_FALSE(m.regression || m.improvement) << m.metric;
  }
  EXPECT_TRUE(c.notes.empty());
}

TEST(BenchCompare, SlowerThanTwiceTheSpreadIsARegression) {
  // Spread 5% (p90 10.5 over median 10): threshold 1.10.
  const Comparison slow =
      compare_runs(report({row("a", 10, 10.5)}), report({row("a", 11.5, 12)}), "b");
  EXPECT_TRUE(slow.regression);
  const MetricComparison& wall = only(slow).metrics[0];
  EXPECT_EQ(wall.metric, "warm_wall_ms");
  EXPECT_NEAR(wall.threshold, 1.10, 1e-12)
      << "twice the larger spread of the two runs (the baseline's 5%)";
  EXPECT_TRUE(wall.regression);
  EXPECT_TRUE(only(slow).metrics[2].regression) << "pipeline images/s fell by the same factor";
  EXPECT_NE(comparison_markdown(slow).find("**REGRESSION**"), std::string::npos);
}

TEST(BenchCompare, ASlowdownWithinTheNoiseIsNot) {
  // 8% slower, but the runs spread by 10%: threshold 1.2.
  const Comparison c =
      compare_runs(report({row("a", 10, 11)}), report({row("a", 10.8, 11.8)}), "b");
  EXPECT_FALSE(c.regression);
  EXPECT_NEAR(only(c).metrics[0].threshold, 1.2, 1e-9);
  // Quiet runs still get 5%: 3% slower with no spread is not flagged.
  EXPECT_FALSE(
      compare_runs(report({row("a", 10, 10)}), report({row("a", 10.3, 10.3)}), "b").regression);
}

TEST(BenchCompare, SingleSamplesNeedOnePointFiveTimes) {
  json slower = row("a", 10, 10);
  slower["compile_ms"] = 140.0;
  EXPECT_FALSE(compare_runs(report({row("a", 10, 10)}), report({slower}), "b").regression);
  slower["compile_ms"] = 160.0;
  EXPECT_TRUE(compare_runs(report({row("a", 10, 10)}), report({slower}), "b").regression);
}

TEST(BenchCompare, ARowThatStoppedRunningOrLostAccuracyIsARegression) {
  json gone = row("a", 10, 10);
  gone["outcome"] = "unavailable";
  gone["error"] = "--device cuda:0 cannot be used";
  const Comparison c = compare_runs(report({row("a", 10, 10)}), report({gone}), "b");
  EXPECT_TRUE(c.regression);
  EXPECT_EQ(only(c).status, "no longer runs");
  EXPECT_TRUE(compare_runs(report({row("a", 10, 10, 60)}), report({row("a", 10, 10, 58.5)}), "b")
                  .regression);
  EXPECT_FALSE(compare_runs(report({row("a", 10, 10, 60)}), report({row("a", 10, 10, 59.5)}), "b")
                   .regression);
}

TEST(BenchCompare, NewMissingAndForeignMachinesAreSaid) {
  json other = report({row("b", 10, 10)});
  other["machine"]["cpu"]["model"] = "another cpu";
  const Comparison c = compare_runs(other, report({row("a", 10, 10)}), "b");
  EXPECT_FALSE(c.regression);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.rows[0].status, "new");
  EXPECT_EQ(c.rows[1].status, "missing");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("another machine"), std::string::npos);
}

}  // namespace
}  // namespace toonbox::bench

namespace toonbox::bench {
namespace {

TEST(BenchCompare, ABaselineFileIsCheckedBeforeUse) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bench_baseline_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream((dir / name).string()) << text;
    return (dir / name).string();
  };
  auto message = [](const std::string& path) { return load_bench_json(path).status().message(); };
  EXPECT_NE(message(write("a.json", "{not json")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(message(write("b.json", R"({"schema":"toonbox.doctor/1"})"))
                .find("expected 'toonbox.bench/1'"),
            std::string::npos);
  EXPECT_NE(message(write("c.json", R"({"schema":"toonbox.bench/1","results":{}})"))
                .find("no \"results\" array"),
            std::string::npos);
  EXPECT_NE(message((dir / "missing.json").string()).find("cannot read the baseline"),
            std::string::npos);
  EXPECT_TRUE(
      load_bench_json(write("d.json", R"({"schema":"toonbox.bench/1","results":[]})")).is_ok());
  // Rows of the wrong types are skipped, never a crash.
  const auto odd = nlohmann::json::parse(
      R"({"schema":"toonbox.bench/1","results":[3,"x",{"key":7}],"machine":1})");
  EXPECT_TRUE(compare_runs(odd, odd, "odd").rows.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace toonbox::bench
