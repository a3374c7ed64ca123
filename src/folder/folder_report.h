// What a folder run tells the user: a one-line progress bar on a terminal, else one JSON
// line per image and a summary line (the schema is in docs/cli.md), and the closing
// summary listing every failure with its reason.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "folder/folder_runner.h"

namespace toonbox::folder {

struct RunContext {
  std::string input_dir, output_dir;
  int skipped_existing = 0;  // outputs already there (--skip-existing), not in the run
  int batch_size = 1;
  std::string batch_rule;    // why that batch size ("automatic: 1 on the CPU")
  std::string model, device;
};

// {"input","output","ok","error"?,"code"?,"width","height","batch","ms","decode_ms",
//  "device_ms","encode_ms"}
nlohmann::ordered_json image_result_json(const ImageResult& r);

// {"summary":true,"total","ok","failed","not_run","skipped_existing","interrupted",
//  "seconds","images_per_s","batch_size","device_calls":{"N":calls},"stage_busy_ms":
//  {"decode","device","encode"},"overlap","model","device","failures":[{"input","error"}]}
nlohmann::ordered_json summary_json(const RunSummary& s, const RunContext& c);

// [{"device","images","images_per_s","busy_ms","device_calls","retried_elsewhere",
//   "retired"?}], one per device worker (the summary's "devices").
nlohmann::ordered_json devices_json(const RunSummary& s);

// "[#######.....]  37/200  18%  4.2 img/s  ETA 0:39  2 failed", at most `width` columns.
std::string progress_line(int done, int total, int failed, double elapsed_s, int width = 80);

// Several lines: counts, speed, stage busy times and every failure with its reason.
std::string human_summary(const RunSummary& s, const RunContext& c);

// "1:05", "1:02:03"; "--" for a negative or absurd estimate.
std::string format_duration(double seconds);

}  // namespace toonbox::folder
