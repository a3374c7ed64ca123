// What the folder modes of `cartoonize` and `upscale` share: the folder flags, the output
// folders' preparation (create, remove an interrupted run's temporary files), the
// progress display, and running the planned images through the folder runner with the
// summary and exit code. Each command supplies its device stage (a folder::DeviceFn) and
// what it prints about its model.
#pragma once

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

// -o OUTDIR, --recursive, --skip-existing, --overwrite, --allow-inside, --format,
// --quality, --max-pixels and (where the command takes it) --batch-size.
Result<FolderFlags> parse_folder_flags(const ParsedArgs& args, int max_batch_size);

// Creates the output folders and removes temporary files an interrupted run of toonbox
// left in them (recognisable by name and PID; nothing else is touched). Returns how many.
Result<int> prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir);

// The failure line on stderr ("toonbox COMMAND: message") and, with `json`,
// {"ok":false,"error","code"[,"device"]} on stdout. Returns `exit_code`.
int command_fail(const char* command, bool json, const Status& s, int exit_code,
                 const std::string& device_line = "");

// Runs `plan.todo` through `device` with progress (a bar on a terminal, JSON lines with
// `json`), prints the summary, and returns the exit code: 0, 1 when an image failed,
// 128 + signal when interrupted (SIGINT/SIGTERM stop cleanly; rerun with --skip-existing).
int run_planned_folder(const char* command, bool json, const folder::FolderPlan& plan,
                       const folder::DeviceFn& device, folder::RunnerOptions runner, bool device_is_gpu,
                       const folder::RunContext& context, const std::string& summary_note = "");

}  // namespace toonbox::cli
