// The folder mode every image command shares (`cartoonize DIR`, `restore DIR`): plan
// (folder/folder_plan), load the task's models only when there is work, run the decode ->
// device -> encode stages (folder/folder_runner) and report (folder/folder_report) with a
// progress bar on a terminal or JSON lines otherwise. The task only says how to load its
// models and what its device stage does.
#include "cli/folder_command.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "cli/stop_signals.h"
#include "core/json_text.h"
#include "folder/folder_plan.h"
#include "folder/folder_report.h"
#include "folder/folder_shard.h"
#include "folder/shard_status.h"
#include "folder/test_device_hook.h"
#include "engine/device_list.h"
#include "engine/device_rotation.h"
#include "image/atomic_temp_files.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {

constexpr int kMaxBatchSize = 64;
// Measured, not assumed (H200, 200 photos, White-box fp16, tools/gpu_check.sh folder):
// a batch of 4 does cut GPU compute (512²: 3.5 ms vs 8.3 ms for 4 singles), but a folder
// run is bound by the host (tensor conversion, PNG encoding), and waiting for same-size
// partners cost more than it saved: 33.2 images/s at batch 1, 27.2 at 4, 23.4 at 8; a
// folder of one size: 30.3 at 1, 29.7 at 8. So `auto` is 1; --batch-size N batches. On
// the CPU oneDNN already spreads one image over every core.
constexpr int kAutoBatchGpu = 1;
constexpr int kAutoBatchCpu = 1;
// Redraws of the progress bar; more often is flicker, not information.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

}  // namespace

std::vector<ArgSpec> folder_mode_options() {
  return {{"--recursive", false, "", false, "", "include subfolders (the output mirrors the tree)"},
          {"--skip-existing", false, "", false, "", "skip images whose output exists (resume an interrupted run)"},
          {"--batch-size", true, "", false, "N", "same-size images per device call (default: automatic)"},
          {"--streams", true, "", false, "N",
           "workers per GPU, each with its own CUDA stream and plans, so\none's copies and host work overlap another's compute (default 2)"},
          {"--allow-inside", false, "", false, "", "allow OUTDIR inside the input tree"},
          {"--shard", true, "", false, "K/N",
           "only shard K of N (0-based; by a hash of the relative path);\ndefault from JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID"}};
}

Result<FolderFlags> parse_folder_flags(const ParsedArgs& a, int max_batch, const std::vector<std::string>& files) {
  FolderFlags f;
  f.files = files;
  if (files.empty()) f.plan.input_dir = a.positional[0];
  for (const char* tree_only : {"--recursive", "--allow-inside", "--shard"})
    if (!files.empty() && a.has(tree_only))
      return invalid_argument(std::string(tree_only) + " applies to a folder INPUT, not to a list of files");
  f.plan.output_dir = a.get("--output");
  if (is_stdio(f.plan.output_dir))
    return invalid_argument("-o - (stdout) takes one image; a folder or several inputs need -o OUTDIR");
  f.plan.recursive = a.has("--recursive");
  f.plan.skip_existing = a.has("--skip-existing");
  f.plan.overwrite = a.has("--overwrite");
  f.plan.allow_inside = a.has("--allow-inside");
  if (f.plan.skip_existing && f.plan.overwrite)
    return invalid_argument("--skip-existing and --overwrite contradict each other: pick one");
  TB_ASSIGN_OR_RETURN(f.plan.format, parse_format_name(a.get("--format", "png")));
  long long batch = 0, quality = 92, max_pixels = f.runner.decode.max_pixels;
  if (max_batch > 0 && a.get("--batch-size") != "auto")
    TB_RETURN_IF_ERROR(parse_integer_flag(a, "--batch-size", 1, max_batch, &batch));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--quality", 1, 100, &quality));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--max-pixels", 1, 1LL << 40, &max_pixels));
  f.batch_size = static_cast<int>(batch);
  f.runner.encode = image::EncodeOptions{f.plan.format, static_cast<int>(quality)};
  f.runner.decode.max_pixels = max_pixels;
  if (a.has("--shard")) {
    TB_ASSIGN_OR_RETURN(folder::Shard shard, folder::parse_shard(a.get("--shard")));
    f.shard = shard;
  } else if (files.empty()) {  // a job array shares out a folder; a list is one command's own
    TB_ASSIGN_OR_RETURN(f.shard, folder::shard_from_environment([](const char* name) { return std::getenv(name); }));
  }
  if (f.shard) f.plan.keep = folder::shard_filter(*f.shard);
  TB_ASSIGN_OR_RETURN(f.verbosity, parse_verbosity(a));
  return f;
}

bool folder_json(const ParsedArgs& a) {
  // `-o -` promises stdout to an image: a folder or a list refuses it (parse_folder_flags),
  // and that refusal goes to stderr alone, as every failure with `-o -` does, so whatever
  // reads the pipe never gets a JSON line it took for image bytes.
  if (is_stdio(a.get("--output"))) return false;
  return a.has("--json") || (!isatty(STDOUT_FILENO) && !a.has("--quiet"));
}

Result<folder::FolderPlan> plan_inputs(const FolderFlags& f) {
  return f.files.empty() ? folder::plan_folder(f.plan) : folder::plan_files(f.files, f.plan);
}

namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {0};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

// What a shard writes into OUTDIR/.toonbox-shards/ (shard_status.h): enough for
// `folder-status` to re-plan the folder and to say who ran what, when.
nlohmann::ordered_json shard_record(const FolderFlags& f, const std::string& state, const std::string& started,
                                    int assigned, const nlohmann::ordered_json& summary) {
  std::error_code ec;
  const std::string format = f.plan.format == image::ImageFormat::kJpeg   ? "jpg"
                             : f.plan.format == image::ImageFormat::kWebp ? "webp"
                                                                          : "png";
  nlohmann::ordered_json j = {{"shard", f.shard->index},
                              {"shards", f.shard->count},
                              {"shard_from", f.shard->source},
                              {"state", state},
                              {"input_dir", std::filesystem::absolute(f.plan.input_dir, ec).lexically_normal().string()},
                              {"recursive", f.plan.recursive},
                              {"allow_inside", f.plan.allow_inside},
                              {"format", format},
                              {"host", host_name()},
                              {"pid", static_cast<long>(getpid())},
                              {"started_utc", started},
                              {"updated_utc", folder::utc_now_text()},
                              {"assigned", assigned}};
  if (!summary.is_null()) j["summary"] = summary;
  return j;
}

}  // namespace

FolderProgress::FolderProgress(bool json, int total, bool quiet)
    : json_(json), quiet_(quiet), total_(total), t0_(std::chrono::steady_clock::now()) {}

void FolderProgress::on_result(const folder::ImageResult& r) {
  ++done_;
  if (!r.status.is_ok()) ++failed_;
  if (json_) {
    std::printf("%s\n", json_text(folder::image_result_json(r)).c_str());
    std::fflush(stdout);
    return;
  }
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done_ < total_ && now - last_draw_ < kProgressInterval) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - t0_).count();
  std::fprintf(stderr, "\r%s\033[K", folder::progress_line(done_, total_, failed_, elapsed).c_str());
}

void FolderProgress::end_line() {
  if (!json_ && !quiet_ && done_ > 0) std::fprintf(stderr, "\n");
}

Status prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir, int* removed,
                              bool own_outputs_only) {
  std::error_code ec;
  std::filesystem::create_directories(output_dir, ec);
  if (ec) return unavailable(output_dir + ": cannot create the folder: " + ec.message());
  // A run killed mid-write (SIGKILL, power loss) leaves hidden temporary files; ours are
  // recognisable by name and PID, and nothing else is touched. Only the folders this run
  // writes to are looked at, so `-o ~` does not walk the whole home folder.
  // A shard cleans up only after its own outputs: another shard's writer may be alive on
  // another machine, where its PID means nothing here.
  std::set<std::string> output_folders, own_temp_keys;
  for (const auto* list : {&plan.todo, &plan.already_done})
    for (const auto& image : *list) {
      const std::filesystem::path out(image.output);
      output_folders.insert(out.parent_path().string());
      if (own_outputs_only) own_temp_keys.insert(image::atomic_temp_key(out.filename().string()));
    }
  *removed = 0;
  for (const std::string& folder : output_folders) {
    TB_ASSIGN_OR_RETURN(
        image::TempCleanup cleaned,
        image::remove_stale_atomic_temps(folder, /*recursive=*/false,
                                         own_outputs_only ? &own_temp_keys : nullptr));
    *removed += cleaned.removed;
  }
  return Status::ok();
}

int finish_folder_run(const char* command, bool json, const folder::RunSummary& summary,
                      const folder::RunContext& context, const std::string& note,
                      nlohmann::ordered_json* summary_out, bool quiet) {
  nlohmann::ordered_json summary_line = summary_out ? *summary_out : folder::summary_json(summary, context);
  if (!note.empty()) summary_line["note"] = note;
  if (json) {
    std::printf("%s\n", json_text(summary_line).c_str());
  } else if (quiet) {
    for (const folder::ImageResult& f : summary.failures)
      std::fprintf(stderr, "toonbox %s: %s\n", command, f.status.message().c_str());
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
    if (json || quiet) std::fprintf(stderr, "toonbox %s: %d of %d images failed\n", command, summary.failed, summary.total);
    return kExitFailure;
  }
  return kExitOk;
}

Result<int> prepare_output_folders(const folder::FolderPlan& plan, const std::string& output_dir) {
  int removed = 0;
  TB_RETURN_IF_ERROR(prepare_output_folders(plan, output_dir, &removed));
  return removed;
}

int run_planned_folder(const char* command, bool json, const folder::FolderPlan& plan,
                       const folder::DeviceFn& device, folder::RunnerOptions runner, bool device_is_gpu,
                       const folder::RunContext& context, const std::string& summary_note, bool quiet) {
  runner.batch_size = context.batch_size;
  folder::choose_stage_threads(device_is_gpu, static_cast<int>(std::thread::hardware_concurrency()), &runner);
  // SIGINT/SIGTERM stop the run cleanly; a second Ctrl-C kills at once (the next run
  // removes the temporary files it leaves).
  runner.stop = StopSignals::flag();
  FolderProgress progress(json, static_cast<int>(plan.todo.size()), quiet);
  folder::RunSummary summary;
  {
    StopSignals signals;
    summary = folder::run_folder(plan.todo, device, runner, [&](const folder::ImageResult& r) { progress.on_result(r); });
  }
  progress.end_line();
  return finish_folder_run(command, json, summary, context, summary_note, nullptr, quiet);
}

int run_folder_command(const ParsedArgs& args, const FolderTask& task, const std::vector<std::string>& files) {
  const bool json = folder_json(args);
  auto flags = parse_folder_flags(args, kMaxBatchSize, files);
  if (!flags.is_ok()) return task.fail(json, flags.status(), kExitUsage);
  for (const char* single_only : {"--timings"})
    if (args.has(single_only))
      return task.fail(json, invalid_argument(std::string(single_only) + " applies to a single image, not a folder"),
                       kExitUsage);

  auto plan = plan_inputs(flags.value());
  if (!plan.is_ok()) return task.fail(json, plan.status(), exit_code_for(plan.status()));

  // One worker per device (`--device cuda:0,1`, `cuda:all`, `cpu,cpu`), one queue.
  auto device_names = engine::expand_device_list(args.get("--device", "auto"));
  if (!device_names.is_ok()) return task.fail(json, device_names.status(), exit_code_for(device_names.status()));
  long long streams = engine::kDefaultGpuStreams;
  if (Status s = parse_integer_flag(args, "--streams", 1, engine::kMaxGpuStreams, &streams); !s.is_ok())
    return task.fail(json, s, kExitUsage);
  auto selected = engine::select_devices(device_names.value(), args.get("--precision", "auto"));
  if (!selected.is_ok()) return task.fail(json, selected.status(), exit_code_for(selected.status()));
  auto streamed = engine::with_gpu_streams(selected.value(), static_cast<int>(streams));
  if (!streamed.is_ok()) return task.fail(json, streamed.status(), exit_code_for(streamed.status()));
  const std::vector<engine::DeviceSelection> devices = std::move(streamed).value();
  const std::vector<std::string> device_ids = engine::selection_ids(devices);
  const engine::DeviceSelection* device = &devices[0];

  folder::RunContext context;
  context.input_dir = flags->plan.input_dir;
  context.output_dir = flags->plan.output_dir;
  context.skipped_existing = static_cast<int>(plan->already_done.size());
  context.device = engine::devices_summary(devices);
  const bool one_device = context.device.find("; ") == std::string::npos;  // streams of one GPU are one device
  int batch_size = flags->batch_size;
  if (batch_size > 0) {
    context.batch_rule = "--batch-size";
  } else {
    batch_size = device->is_gpu ? kAutoBatchGpu : kAutoBatchCpu;
    context.batch_rule = device->is_gpu ? "automatic: 1 on a GPU (measured fastest: the host, not the GPU, is the limit)" : "automatic: 1 on the CPU";
  }
  context.batch_size = batch_size;

  image::TempCleanup cleanup;
  if (Status s = prepare_output_folders(*plan, flags->plan.output_dir, &cleanup.removed, flags->shard.has_value());
      !s.is_ok())
    return task.fail(json, s, kExitFailure);

  std::string note;
  std::string model_name = "(none loaded)", model_description;
  // Each worker loads its own models, sessions and compiled plans on its device.
  std::vector<folder::DeviceWorker> workers;
  if (!plan->todo.empty()) {
    for (size_t i = 0; i < devices.size(); ++i) {
      FolderModel loaded;
      Status s = task.load(devices[i], &loaded);
      if (!s.is_ok()) return task.fail(json, s, loaded.usage_error ? kExitUsage : kExitFailure);
      workers.push_back({device_ids[i], std::move(loaded.device)});
      model_name = loaded.name;
      model_description = loaded.description;
      note = loaded.note;
    }
  }
  context.model = model_name;

  const Console out(false, flags->verbosity);
  if (!json) {
    if (!note.empty()) out.status("note: %s\n", note.c_str());
    if (!workers.empty()) out.status("model: %s (%s)\n", model_name.c_str(), model_description.c_str());
    if (one_device) {
      out.status("device: %s\n", context.device.c_str());
    } else {
      out.status("devices: %zu workers, one queue\n", devices.size());
      for (size_t i = 0; i < devices.size(); ++i)
        out.status("  %s: %s\n", device_ids[i].c_str(), devices[i].summary().c_str());
    }
    if (flags->shard)
      out.status("shard %s (from %s): this run's share of the folder\n", flags->shard->label().c_str(),
                  flags->shard->source.c_str());
    out.status("%zu image%s to %s into %s", plan->todo.size(), plan->todo.size() == 1 ? "" : "s",
                task.command, context.output_dir.c_str());
    if (!plan->already_done.empty()) out.status(" (%zu already done, skipped)", plan->already_done.size());
    out.status("; batch size %d (%s)\n", batch_size, context.batch_rule.c_str());
    for (const auto& n : plan->notes) out.status("note: %s\n", n.c_str());
    if (cleanup.removed)
      out.status("note: removed %d temporary file%s of an interrupted run\n", cleanup.removed,
                  cleanup.removed == 1 ? "" : "s");
  }

  folder::RunnerOptions runner = flags->runner;
  runner.batch_size = batch_size;
  folder::choose_stage_threads(device->is_gpu, static_cast<int>(std::thread::hardware_concurrency()),
                              &runner);
  // SIGINT/SIGTERM stop the run cleanly; a second Ctrl-C kills at once (the next run
  // removes the temporary files it leaves).
  runner.stop = StopSignals::flag();
  if (const char* rules = std::getenv(folder::kTestDeviceVariable)) {
    Status hooked = folder::apply_test_device_rules(rules, &workers);
    if (!hooked.is_ok()) return task.fail(json, hooked, kExitUsage);
  }
  const std::string command = task.command;
  runner.on_device_retired = [command](const folder::DeviceStats& d, int left) {
    std::fprintf(stderr, "toonbox %s: %s taken out of rotation: %s; %s\n", command.c_str(),
                 d.id.c_str(), d.retired.c_str(),
                 engine::rotation_tail(left, "images", "the remaining images fail").c_str());
  };
  const std::string started = folder::utc_now_text();
  const int assigned = static_cast<int>(plan->todo.size() + plan->already_done.size());
  if (flags->shard) {
    Status recorded = folder::write_shard_record(flags->plan.output_dir, *flags->shard,
                                                 shard_record(*flags, "running", started, assigned, nullptr));
    if (!recorded.is_ok()) return task.fail(json, recorded, kExitFailure);
  }

  FolderProgress reporter(json, static_cast<int>(plan->todo.size()), out.quiet());
  folder::RunSummary summary;
  {
    StopSignals signals;
    summary = folder::run_folder(plan->todo, workers, runner,
                                [&](const folder::ImageResult& r) { reporter.on_result(r); });
  }
  reporter.end_line();
  nlohmann::ordered_json summary_line = folder::summary_json(summary, context);
  if (!note.empty()) summary_line["note"] = note;
  if (flags->shard) {
    summary_line["shard"] = flags->shard->label();
    const std::string state = summary.stopped ? "interrupted" : summary.failed > 0 ? "failed" : "done";
    Status recorded = folder::write_shard_record(flags->plan.output_dir, *flags->shard,
                                                 shard_record(*flags, state, started, assigned, summary_line));
    if (!recorded.is_ok()) std::fprintf(stderr, "toonbox %s: %s\n", task.command, recorded.message().c_str());
  }
  return finish_folder_run(task.command, json, summary, context, note, &summary_line, out.quiet());
}

}  // namespace toonbox::cli
