// toonbox bench: the speed, memory and agreement table (docs/bench.md). This file turns
// flags into bench::BenchOptions, owns stdout/stderr and the report files; the
// measuring is in src/bench.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "bench/bench_options.h"
#include "bench/bench_run.h"
#include "bench/bench_task.h"
#include "bench/compare.h"
#include "bench/report_json.h"
#include "bench/report_markdown.h"
#include "cli/args.h"
#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/option_help.h"
#include "cli/stop_signals.h"
#include "core/json_text.h"
#include "engine/device_list.h"
#include "engine/device_select.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {

// The synopsis and the exit codes; the option lists between them are generated from
// bench_options() (option_help.h), pipeline mode's own under their heading.
constexpr const char* kSynopsis =
    "usage: toonbox bench [options]\n"
    "\n"
    "Measures speed, memory and agreement with the CPU for every combination of the lists\n"
    "below and prints a Markdown table (docs/bench.md says what each figure means).\n"
    "\n";

constexpr const char* kExitCodes =
    "\n"
    "exit codes: 0 every configuration that ran agrees with the CPU fp32 output (those that\n"
    "could not run are explained), 1 a disagreement, a failure or nothing could run,\n"
    "2 usage error, 3 --compare found a regression\n";

std::vector<ArgSpec> bench_main_options() {
  return {{"--task", true, "", false, "T", "cartoonize (default), run (any image model), upscale, inpaint or restore"},
          {"--model", true, "", false, "NAME[,NAME]",
           "models (repeatable; default: whitebox and animeganv3-cute where\ninstalled, and classic for cartoonize; for upscale the installed\n"
           "known upscalers; for inpaint telea, ns and the installed inpainters)"},
          {"--sizes", true, "", false, "N[,N]",
           "input sides, square or WxH (1920x1080; default 512;\n512,1024 with a GPU)"},
          {"--batch", true, "", false, "N[,N]", "images per device call (default 1; 1,8 with a GPU)"},
          {"--cpu-batch", true, "", false, "N[,N]",
           "batches of the CPU rows (default: 1 when a GPU is measured too,\nelse --batch)"},
          {"--precision", true, "", false, "P[,P]", "fp32, tf32, fp16 (default fp32; fp32,fp16 with a GPU)"},
          {"--device", true, "", false, "D[,D]",
           "cpu, cuda, cuda:N, cuda:all (each GPU its own rows; default:\ncuda:0,cpu if a GPU is usable, else cpu)"},
          {"--runs", true, "", false, "N", "warm runs per configuration (default 20 on a GPU, 5 on the CPU)"},
          {"--cpu-runs", true, "", false, "N", "warm runs of the CPU rows (default: --runs if given, else 5)"},
          {"--max-seconds", true, "", false, "S",
           "stop a configuration's warm runs after S seconds, once 3 are done\n(default 10)"},
          {"--image", true, "", false, "FILE",
           "a photo, cut to a centred crop of each size's aspect (default: a\ngenerated image)"},
          {"--no-cold-start", false, "", false, "", "skip the cold-start child process"},
          {"--json", true, "", false, "FILE",
           "write every raw figure as JSON (FILE '-': to stdout instead of\nthe table)"},
          {"--markdown", true, "", false, "FILE", "also write the table to FILE"},
          {"--compare", true, "", false, "BASELINE",
           "ratios to a saved --json report; regressions beyond the noise\nare flagged"},
          {"--help", false, "-h"}};
}

// Pipeline mode: decode -> device -> encode through the folder runner.
std::vector<ArgSpec> bench_pipeline_options() {
  return {{"--pipeline-images", true, "", false, "N",
           "images in each pipeline-mode run (default: 64 or 4x batch on a GPU,\n4 or 2x batch on the CPU)"},
          {"--pipeline-format", true, "", false, "EXT", "what pipeline mode writes: jpg (default), png or webp"},
          {"--streams", true, "", false, "N",
           "on a GPU: device workers, each with its own model copy and CUDA\nstream, as folders run (default 2)"},
          {"--no-pipeline", false, "", false, "", "skip pipeline mode"}};
}

std::string usage() {
  return kSynopsis + option_list(bench_main_options()) +
         "\npipeline mode (decode -> device -> encode, as folders run):\n" + option_list(bench_pipeline_options()) +
         kExitCodes;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "toonbox bench: %s\n\n%s", message.c_str(), usage().c_str());
  return kExitUsage;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "toonbox bench: %s\n", message.c_str());
  return kExitFailure;
}

// --model may be repeated (parse_args keeps the last value): collect every occurrence.
std::vector<std::string> repeated_values(const std::vector<std::string>& argv,
                                         const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (argv[i] == flag && i + 1 < argv.size())
      values.push_back(argv[++i]);
    else if (argv[i].rfind(flag + "=", 0) == 0)
      values.push_back(argv[i].substr(flag.size() + 1));
  }
  return values;
}

Status parse_lists(const std::vector<std::string>& argv, const ParsedArgs& a,
                   bench::BenchOptions* o) {
  for (const std::string& value : repeated_values(argv, "--model")) {
    TB_ASSIGN_OR_RETURN(std::vector<std::string> models, bench::parse_name_list("--model", value));
    for (std::string& m : models) {
      if (std::find(o->models.begin(), o->models.end(), m) != o->models.end())
        return invalid_argument("--model: '" + m + "' is listed twice");
      o->models.push_back(std::move(m));
    }
  }
  if (a.has("--sizes")) {
    TB_RETURN_IF_ERROR(bench::parse_size_list(a.get("--sizes"), bench::kMinSize, bench::kMaxSize,
                                              &o->sizes, &o->heights));
  }
  if (a.has("--batch")) {
    TB_ASSIGN_OR_RETURN(o->batches,
                        bench::parse_int_list("--batch", a.get("--batch"), 1, bench::kMaxBatch));
  }
  if (a.has("--cpu-batch")) {
    TB_ASSIGN_OR_RETURN(o->cpu_batches, bench::parse_int_list("--cpu-batch", a.get("--cpu-batch"),
                                                              1, bench::kMaxBatch));
  }
  if (a.has("--precision")) {
    TB_ASSIGN_OR_RETURN(o->precisions, bench::parse_name_list("--precision", a.get("--precision")));
  }
  if (a.has("--device")) {
    TB_ASSIGN_OR_RETURN(o->devices, bench::parse_name_list("--device", a.get("--device")));
  }
  long long runs = 0, cpu_runs = 0, max_seconds = 10, pipeline_images = 0, streams = engine::kDefaultGpuStreams;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--runs", 1, bench::kMaxRuns, &runs));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--cpu-runs", 1, bench::kMaxRuns, &cpu_runs));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--max-seconds", 1, 3600, &max_seconds));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--pipeline-images", 1, 10000, &pipeline_images));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--streams", 1, engine::kMaxGpuStreams, &streams));
  o->streams = static_cast<int>(streams);
  o->runs = static_cast<int>(runs);
  o->cpu_runs = static_cast<int>(cpu_runs);
  o->max_seconds = static_cast<double>(max_seconds);
  o->pipeline_images = static_cast<int>(pipeline_images);
  o->pipeline_format = a.get("--pipeline-format", "jpg");
  if (image::format_from_extension("x." + o->pipeline_format) == image::ImageFormat::kUnknown)
    return invalid_argument("--pipeline-format must be jpg, png or webp, got '" +
                            o->pipeline_format + "'");
  o->pipeline = !a.has("--no-pipeline");
  o->cold_start = !a.has("--no-cold-start");
  o->image = a.get("--image");
  return Status::ok();
}

// A report file may not be one of the inputs, and its folder must exist: checked before
// minutes of measuring, not after.
Status check_output_path(const std::string& flag, const std::string& path,
                         const bench::BenchOptions& o, const std::string& baseline) {
  if (path == "-") return Status::ok();
  std::error_code ec;
  for (const std::string& input : {o.image, baseline})
    if (!input.empty() && std::filesystem::equivalent(path, input, ec))
      return invalid_argument(flag + " " + path + ": refusing to overwrite an input");
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    return invalid_argument(flag + " " + path + ": the folder " + parent.string() +
                            " does not exist");
  return Status::ok();
}

Status write_text(const std::string& path, const std::string& text) {
  return image::atomic_write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
}

struct Reports {
  int exit_code = kExitOk;
  std::string json, markdown;
};

// The JSON and Markdown of a run (so far), with the comparison when there is a baseline;
// a regression sets exit code 3 unless a disagreement or failure already set 1.
Reports make_reports(const bench::BenchRun& run, const nlohmann::json* baseline,
                     const std::string& baseline_path) {
  Reports r;
  r.exit_code = bench::bench_exit_code(run);
  nlohmann::ordered_json report = bench::bench_json(run, r.exit_code);
  std::string compared;
  if (baseline) {
    const bench::Comparison comparison =
        bench::compare_runs(*baseline, nlohmann::json::parse(json_text(report)), baseline_path);
    if (comparison.regression && r.exit_code == kExitOk) r.exit_code = bench::kBenchExitRegression;
    report["exit_code"] = r.exit_code;
    report["compare"] = bench::comparison_json(comparison);
    compared = "\n" + bench::comparison_markdown(comparison);
  }
  // json_text: a path or message with bytes that are not UTF-8 must not abort the report.
  r.json = json_text(report, 2) + "\n";
  r.markdown = bench::bench_markdown(run, r.exit_code) + compared;
  return r;
}

}  // namespace

// The options, also for `toonbox completion`.
std::vector<ArgSpec> bench_options() {
  std::vector<ArgSpec> all = bench_main_options();
  for (ArgSpec& s : bench_pipeline_options()) all.push_back(std::move(s));
  return all;
}

int cmd_bench(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, bench_options());
  if (!parsed.is_ok()) return usage_error(parsed.status().message());
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (!a.positional.empty()) return usage_error("unexpected argument '" + a.positional[0] + "'");
  bench::BenchOptions options;
  options.task = a.get("--task", "cartoonize");
  auto task = bench::make_bench_task(options.task);
  if (!task.is_ok()) return usage_error(task.status().message());
  if (Status s = parse_lists(argv, a, &options); !s.is_ok()) return usage_error(s.message());
  const std::string json_path = a.get("--json"), markdown_path = a.get("--markdown"),
                    baseline_path = a.get("--compare");
  for (const auto& [flag, path] :
       {std::pair{"--json", json_path}, std::pair{"--markdown", markdown_path}})
    if (!path.empty())
      if (Status s = check_output_path(flag, path, options, baseline_path); !s.is_ok())
        return usage_error(s.message());
  if (markdown_path == "-") return usage_error("--markdown -: the table goes to stdout already");

  // Inputs first: a bad photo or baseline must not cost minutes of measuring.
  std::optional<image::Image> photo;
  if (!options.image.empty()) {
    auto image = image::read_image_file(options.image, image::DecodeOptions{});
    if (!image.is_ok()) return fail(image.status().message());
    photo = std::move(image).value();
  }
  std::optional<nlohmann::json> baseline;
  if (!baseline_path.empty()) {
    auto loaded = bench::load_bench_json(baseline_path);
    if (!loaded.is_ok()) return fail(loaded.status().message());
    baseline = std::move(loaded).value();
  }

  std::vector<std::string> notes;
  bool gpu_usable = false;
  if (options.devices.empty()) {
    // The default devices depend on a GPU being usable: the same test `--device auto` makes.
    auto probe = engine::select_device("auto", "auto");
    gpu_usable = probe.is_ok() && probe->is_gpu;
    if (!gpu_usable)
      notes.push_back("no usable GPU: " +
                      (probe.is_ok() ? probe->reason : probe.status().message()));
  }
  if (Status s = bench::apply_defaults(&options, gpu_usable, (*task)->default_models(), &notes);
      !s.is_ok())
    return s.code() == StatusCode::kInvalidArgument ? usage_error(s.message()) : fail(s.message());

  const bool tty = isatty(STDERR_FILENO);
  bench::ProgressFn progress = [tty](const std::string& line, bool done) {
    if (tty) {
      std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), done ? "\n" : "");
    } else if (done) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  };
  // The reports are rewritten after every configuration (atomically), so a run cut short
  // by a time limit leaves every row it finished, marked incomplete.
  Reports reports;
  Status write_error;
  auto write_reports = [&](const bench::BenchRun& so_far) {
    reports = make_reports(so_far, baseline ? &*baseline : nullptr, baseline_path);
    if (!json_path.empty() && json_path != "-" && write_error.is_ok())
      write_error = write_text(json_path, reports.json);
    if (!markdown_path.empty() && write_error.is_ok())
      write_error = write_text(markdown_path, reports.markdown);
  };
  // SIGINT/SIGTERM (a time limit) stop after the step in hand, with the reports written.
  StopSignals signals;
  options.stop = StopSignals::flag();
  const bench::BenchRun run = bench::run_bench(options, std::move(notes), **task,
                                               photo ? &*photo : nullptr, progress, write_reports);
  write_reports(run);
  if (!write_error.is_ok()) return fail(write_error.message());
  std::fputs(json_path == "-" ? reports.json.c_str() : reports.markdown.c_str(), stdout);
  if (run.interrupted) {
    std::fprintf(stderr,
                 "toonbox bench: interrupted by signal %d; the reports hold the %zu configurations "
                 "measured\n",
                 StopSignals::signal(), run.results.size());
    return 128 + StopSignals::signal();
  }
  return reports.exit_code;
}

}  // namespace toonbox::cli
