#include "cli/folder_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "core/json_text.h"
#include "image/atomic_temp_files.h"

namespace toonbox::cli {

namespace {

// Redraws of the progress bar; more often is flicker, not information.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

// Progress on a terminal, JSON lines otherwise; both from the runner's callback.
class Reporter {
 public:
  Reporter(bool json, int total) : json_(json), total_(total), t0_(std::chrono::steady_clock::now()) {}

  void on_result(const folder::ImageResult& r) {
    ++done_;
    if (!r.status.is_ok()) ++failed_;
    if (json_) {
      std::printf("%s\n", json_text(folder::image_result_json(r)).c_str());
      std::fflush(stdout);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (done_ < total_ && now - last_draw_ < kProgressInterval) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - t0_).count();
    std::printf("\r%s\033[K", folder::progress_line(done_, total_, failed_, elapsed).c_str());
    std::fflush(stdout);
  }

  void end_line() {
    if (!json_ && done_ > 0) std::printf("\n");
  }

 private:
  const bool json_;
  const int total_;
  int done_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point t0_, last_draw_{};
};

}  // namespace

Result<FolderFlags> parse_folder_flags(const ParsedArgs& a, int max_batch_size) {
  FolderFlags f;
  f.plan.input_dir = a.positional[0];
  f.plan.output_dir = a.get("--output");
  f.plan.recursive = a.has("--recursive");
  f.plan.skip_existing = a.has("--skip-existing");
  f.plan.overwrite = a.has("--overwrite");
  f.plan.allow_inside = a.has("--allow-inside");
  if (f.plan.skip_existing && f.plan.overwrite)
    return invalid_argument("--skip-existing and --overwrite contradict each other: pick one");
  const std::string format = a.get("--format", "png");
  f.plan.format = format_from_extension("x." + format);
  if (f.plan.format == ImageFormat::kUnknown) return invalid_argument("--format must be png, jpg, jpeg or webp");
  long long batch = 0, quality = 92, max_pixels = f.runner.decode.max_pixels;
  if (a.has("--batch-size") && a.get("--batch-size") != "auto")
    TB_RETURN_IF_ERROR(parse_integer_flag(a, "--batch-size", 1, max_batch_size, &batch));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--quality", 1, 100, &quality));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--max-pixels", 1, 1LL << 40, &max_pixels));
  f.batch_size = static_cast<int>(batch);
  f.runner.encode = EncodeOptions{f.plan.format, static_cast<int>(quality)};
  f.runner.decode.max_pixels = max_pixels;
  return f;
}

Result<int> prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir) {
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  if (ec) return invalid_argument(output_dir + ": cannot create the folder: " + ec.message());
  // A run killed mid-write (SIGKILL, power loss) leaves hidden temporary files. Only the
  // folders this run writes to are looked at, so `-o ~` does not walk the whole home folder.
  std::set<std::string> output_folders;
  for (const auto* list : {&plan.todo, &plan.already_done})
    for (const auto& image : *list) output_folders.insert(std::filesystem::path(image.output).parent_path().string());
  int removed = 0;
  for (const std::string& folder : output_folders) {
    TB_ASSIGN_OR_RETURN(auto cleaned, remove_stale_atomic_temps(folder, /*recursive=*/false));
    removed += cleaned.removed;
  }
  return removed;
}

int command_fail(const char* command, bool json, const Status& s, int exit_code, const std::string& device_line) {
  if (json) {
    nlohmann::json j = {{"ok", false}, {"error", s.message()}, {"code", status_code_name(s.code())}};
    if (!device_line.empty()) j["device"] = device_line;
    std::printf("%s\n", json_text(j).c_str());
  }
  std::fprintf(stderr, "toonbox %s: %s\n", command, s.message().c_str());
  return exit_code;
}

int run_planned_folder(const char* command, bool json, const folder::FolderPlan& plan,
                       const folder::DeviceFn& device, folder::RunnerOptions runner, bool device_is_gpu,
                       const folder::RunContext& context, const std::string& summary_note) {
  runner.batch_size = context.batch_size;
  folder::choose_stage_threads(device_is_gpu, static_cast<int>(std::thread::hardware_concurrency()), &runner);
  // SIGINT/SIGTERM stop the run cleanly; a second Ctrl-C kills at once (the next run
  // removes the temporary files it leaves).
  runner.stop = StopSignals::flag();
  Reporter reporter(json, static_cast<int>(plan.todo.size()));
  folder::RunSummary summary;
  {
    StopSignals signals;
    summary = folder::run_folder(plan.todo, device, runner, [&](const folder::ImageResult& r) { reporter.on_result(r); });
  }
  reporter.end_line();
  nlohmann::ordered_json summary_line = folder::summary_json(summary, context);
  if (!summary_note.empty()) summary_line["note"] = summary_note;
  if (json) {
    std::printf("%s\n", json_text(summary_line).c_str());
  } else {
    std::printf("%s", folder::human_summary(summary, context).c_str());
  }
  std::fflush(stdout);
  if (summary.stopped) {
    std::fprintf(stderr,
                 "toonbox %s: interrupted by signal %d; %d image%s not started. Run again with "
                 "--skip-existing to finish.\n",
                 command, StopSignals::signal(), summary.not_run, summary.not_run == 1 ? "" : "s");
    return 128 + StopSignals::signal();
  }
  if (summary.failed > 0) {
    if (json) std::fprintf(stderr, "toonbox %s: %d of %d images failed\n", command, summary.failed, summary.total);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace toonbox::cli
