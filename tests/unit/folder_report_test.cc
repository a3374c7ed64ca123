// What a folder run prints: the progress line, JSON lines and the summaries.
#include <gtest/gtest.h>

#include "folder/folder_report.h"

namespace toonbox::folder {
namespace {

TEST(FolderReport, DurationFormats) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(65.4), "1:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--");
}

TEST(FolderReport, ProgressLineHasCountsRateAndEta) {
  // 50 of 200 in 10 s: 5 img/s, 150 left -> 30 s.
  const std::string line = progress_line(50, 200, 2, 10.0, 80);
  EXPECT_NE(line.find(" 50/200 "), std::string::npos) << line;
  EXPECT_NE(line.find("25%"), std::string::npos) << line;
  EXPECT_NE(line.find("5.00 img/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:30"), std::string::npos) << line;
  EXPECT_NE(line.find("2 failed"), std::string::npos) << line;
  EXPECT_LE(line.size(), 80u);
  EXPECT_EQ(line[0], '[');
  EXPECT_EQ(progress_line(0, 10, 0, 0.0).find("ETA --") != std::string::npos, true);
  EXPECT_EQ(progress_line(3, 10, 0, 1.0, 30).find('['), std::string::npos) << "no room for a bar";
}

TEST(FolderReport, JsonLinesAndSummaryCarryFailures) {
  PlannedImage good{"a.png", "in/a.png", "out/a.png"}, bad{"b.jpg", "in/b.jpg", "out/b.png"};
  ImageResult ok;
  ok.image = &good;
  ok.width = 10;
  ok.height = 5;
  ok.batch = 2;
  ok.total_ms = 12.345;
  ImageResult failed;
  failed.image = &bad;
  failed.status = data_loss("in/b.jpg: truncated JPEG");

  auto j = image_result_json(ok);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["input"], "in/a.png");
  EXPECT_EQ(j["output"], "out/a.png");
  EXPECT_EQ(j["width"], 10);
  EXPECT_EQ(j["batch"], 2);
  EXPECT_DOUBLE_EQ(j["ms"].get<double>(), 12.35);
  EXPECT_FALSE(j.contains("error"));
  auto f = image_result_json(failed);
  EXPECT_EQ(f["ok"], false);
  EXPECT_EQ(f["error"], "in/b.jpg: truncated JPEG");
  EXPECT_EQ(f["code"], "corrupt_image");

  RunSummary s;
  s.total = 2;
  s.ok = 1;
  s.failed = 1;
  s.wall_ms = 500;
  s.device_busy_ms = 400;
  s.decode_busy_ms = 100;
  s.encode_busy_ms = 100;
  s.device_calls = {{1, 2}};
  s.failures = {failed};
  RunContext c;
  c.output_dir = "out";
  c.batch_size = 1;
  c.skipped_existing = 3;
  auto sj = summary_json(s, c);
  EXPECT_EQ(sj["summary"], true);
  EXPECT_EQ(sj["failed"], 1);
  EXPECT_EQ(sj["skipped_existing"], 3);
  EXPECT_DOUBLE_EQ(sj["images_per_s"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(sj["overlap"].get<double>(), 1.2);
  EXPECT_EQ(sj["device_calls"]["1"], 2);
  ASSERT_EQ(sj["failures"].size(), 1u);
  EXPECT_EQ(sj["failures"][0]["input"], "in/b.jpg");

  const std::string text = human_summary(s, c);
  EXPECT_NE(text.find("1 of 2 images written to out, 1 failed (3 already done, skipped)"), std::string::npos) << text;
  EXPECT_NE(text.find("  in/b.jpg: truncated JPEG\n"), std::string::npos) << "the path is not repeated: " << text;
  EXPECT_NE(text.find("overlap 1.20x"), std::string::npos) << text;
}

}  // namespace
}  // namespace toonbox::folder
