// What every folder command (`cartoonize DIR`, `inpaint DIR`) does around its device
// stage: the folder flags, the output folders and leftover temporary files, progress on a
// terminal or JSON lines, and the closing summary with its exit code. A command adds its
// model, its DeviceFn and its words.
#pragma once

#include <chrono>
#include <string>

#include "cli/args.h"
#include "folder/folder_plan.h"
#include "folder/folder_report.h"
#include "folder/folder_runner.h"

namespace toonbox::cli {

struct FolderFlags {
  folder::FolderPlanOptions plan;
  folder::RunnerOptions runner;
  int batch_size = 0;  // 0: automatic
};

// INPUT (positional[0]), -o, --recursive, --skip-existing, --overwrite, --allow-inside,
// --format, --quality, --max-pixels and (when `max_batch` > 0) --batch-size.
Result<FolderFlags> parse_folder_flags(const ParsedArgs& a, int max_batch);

// Creates the output folder and removes the temporary files an interrupted run left in
// the folders this plan writes to; `removed` gets their count.
Status prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir, int* removed);

// Progress on a terminal (one redrawn line), JSON lines otherwise; fed by the runner.
class FolderProgress {
 public:
  FolderProgress(bool json, int total);
  void on_result(const folder::ImageResult& r);
  void end_line();

 private:
  const bool json_;
  const int total_;
  int done_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point t0_, last_draw_{};
};

// Prints the summary (JSON with `note` when given, else the human form) and returns the
// exit code: 128+signal when stopped (telling how to resume), 1 when an image failed.
int finish_folder_run(const char* command, bool json, const folder::RunSummary& summary,
                      const folder::RunContext& context, const std::string& note);

}  // namespace toonbox::cli
