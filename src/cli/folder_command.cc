#include "cli/folder_command.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "core/json_text.h"
#include "image/atomic_temp_files.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {
// Redraws of the progress bar; more often is flicker, not information.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
}  // namespace

Result<FolderFlags> parse_folder_flags(const ParsedArgs& a, int max_batch) {
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
  if (max_batch > 0 && a.get("--batch-size") != "auto")
    TB_RETURN_IF_ERROR(parse_integer_flag(a, "--batch-size", 1, max_batch, &batch));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--quality", 1, 100, &quality));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--max-pixels", 1, 1LL << 40, &max_pixels));
  f.batch_size = static_cast<int>(batch);
  f.runner.encode = EncodeOptions{f.plan.format, static_cast<int>(quality)};
  f.runner.decode.max_pixels = max_pixels;
  return f;
}

Status prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir, int* removed) {
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  if (ec) return unavailable(output_dir + ": cannot create the folder: " + ec.message());
  // A run killed mid-write (SIGKILL, power loss) leaves hidden temporary files; ours are
  // recognisable by name and PID, and nothing else is touched. Only the folders this run
  // writes to are looked at, so `-o ~` does not walk the whole home folder.
  std::set<std::string> output_folders;
  for (const auto* list : {&plan.todo, &plan.already_done})
    for (const auto& image : *list) output_folders.insert(std::filesystem::path(image.output).parent_path().string());
  *removed = 0;
  for (const std::string& folder : output_folders) {
    TB_ASSIGN_OR_RETURN(TempCleanup cleaned, remove_stale_atomic_temps(folder, /*recursive=*/false));
    *removed += cleaned.removed;
  }
  return Status::ok();
}

FolderProgress::FolderProgress(bool json, int total)
    : json_(json), total_(total), t0_(std::chrono::steady_clock::now()) {}

void FolderProgress::on_result(const folder::ImageResult& r) {
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

void FolderProgress::end_line() {
  if (!json_ && done_ > 0) std::printf("\n");
}

int finish_folder_run(const char* command, bool json, const folder::RunSummary& summary,
                      const folder::RunContext& context, const std::string& note) {
  nlohmann::ordered_json summary_line = folder::summary_json(summary, context);
  if (!note.empty()) summary_line["note"] = note;
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
