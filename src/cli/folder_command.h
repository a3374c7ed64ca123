// Folder mode shared by the image commands (`toonbox cartoonize DIR`, `toonbox restore
// DIR`): --recursive, --skip-existing (resume), --format, --batch-size, --json, progress,
// atomic writes, SIGINT/SIGTERM. A task gives its name, its failure printer and how to
// load its device stage (folder::DeviceFn); see folder_command.cc.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/args.h"
#include "cli/console.h"
#include "engine/device_select.h"
#include "folder/folder_plan.h"
#include "folder/folder_report.h"
#include "folder/folder_runner.h"
#include "folder/folder_shard.h"

namespace toonbox::cli {

struct FolderFlags {
  folder::FolderPlanOptions plan;
  std::vector<std::string> files;  // several inputs given one by one: the run is over these
  folder::RunnerOptions runner;
  int batch_size = 0;  // 0: automatic
  std::optional<folder::Shard> shard;
  Verbosity verbosity = Verbosity::kNormal;  // -q, -v
};

// The options only a folder (or a list of files) takes, with their --help texts:
// --recursive, --skip-existing, --batch-size, --streams, --allow-inside, --shard (the
// commands on run_folder_command: cartoonize, restore). Their --help lists them under
// kFolderHeading.
std::vector<ArgSpec> folder_mode_options();
inline constexpr const char* kFolderHeading = "\nfolders (INPUT is a directory):\n";

// INPUT (positional[0]), -o, --recursive, --skip-existing, --overwrite, --allow-inside,
// --format, --quality, --max-pixels, --shard (or the job-array variables) and (when
// `max_batch` > 0) --batch-size. With `files` (several inputs, input_list.h) the run is
// over those into -o OUTDIR; the flags that only mean something for a folder tree
// (--recursive, --allow-inside, --shard) are refused, and the job-array variables ignored.
Result<FolderFlags> parse_folder_flags(const ParsedArgs& a, int max_batch, const std::vector<std::string>& files = {});

// JSON lines with --json, and whenever nobody watches a terminal (logs and pipes get
// parseable output) — unless -q asked for silence; never with `-o -` (stdout is promised
// to an image there, so the refusal is on stderr only).
bool folder_json(const ParsedArgs& args);

// The plan of a run: the folder's (folder::plan_folder) or the files' (folder::plan_files).
Result<folder::FolderPlan> plan_inputs(const FolderFlags& flags);

// Creates the output folder and removes the temporary files an interrupted run left in
// the folders this plan writes to (only those of its own outputs with `own_outputs_only`,
// as a shard must); `removed` gets their count.
Status prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir, int* removed,
                              bool own_outputs_only = false);

// Progress on a terminal (one redrawn line on stderr: it is status, not a result; none
// with -q), JSON lines on stdout otherwise; fed by the runner.
class FolderProgress {
 public:
  FolderProgress(bool json, int total, bool quiet = false);
  void on_result(const folder::ImageResult& r);
  void end_line();

 private:
  const bool json_, quiet_;
  const int total_;
  int done_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point t0_, last_draw_{};
};

// Prints the summary (`summary_line` when given, else summary_json; `note` added) as JSON
// or in words on stdout — with `quiet`, only each failure, on stderr — and returns the
// exit code: 128+signal when stopped (telling how to resume), 1 when an image failed.
int finish_folder_run(const char* command, bool json, const folder::RunSummary& summary,
                      const folder::RunContext& context, const std::string& note,
                      nlohmann::ordered_json* summary_line = nullptr, bool quiet = false);

// The same, returning how many temporary files were removed.
Result<int> prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir);

// Runs `plan.todo` through one device stage with progress, prints the summary and returns
// the exit code (finish_folder_run) — for a command that plans and loads by itself
// (`upscale DIR`); run_folder_command below does all of it for a FolderTask.
int run_planned_folder(const char* command, bool json, const folder::FolderPlan& plan,
                       const folder::DeviceFn& device, folder::RunnerOptions runner, bool device_is_gpu,
                       const folder::RunContext& context, const std::string& summary_note = "",
                       bool quiet = false);

// What a task's loader gives back: the device stage and what to tell the user.
struct FolderModel {
  folder::DeviceFn device;
  std::string name, description;
  std::string note;         // printed as "note: ..." and put in the summary
  bool usage_error = false;  // an invalid_argument from loading is a command-line mistake
};

struct FolderTask {
  const char* command;  // "cartoonize", "restore": messages and the summary line
  // Prints a failure (and a JSON line with --json) and returns the exit code.
  std::function<int(bool json, const Status& s, int exit_code)> fail;
  // Loads the models on `device`; called only when there is an image to process.
  std::function<Status(const engine::DeviceSelection& device, FolderModel* model)> load;
};

// INPUT (args.positional[0]) is a folder: process every image in it into -o OUTDIR; with
// `files`, those files instead.
int run_folder_command(const ParsedArgs& args, const FolderTask& task, const std::vector<std::string>& files = {});

}  // namespace toonbox::cli
