// toonbox cartoonize INPUT -o OUTPUT [options]: one image through the CartoonPipeline
// (mode, strength, output size), or a folder (cmd_cartoonize_folder.cc).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "cli/args.h"
#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/folder_command.h"
#include "cli/input_list.h"
#include "cli/option_help.h"
#include "core/startup_trace.h"
#include "core/timing.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "cli/console.h"
#include "cli/contract_flags.h"
#include "cli/restore_flags.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/processing_size.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option lists under it are generated from the table below and
// folder_mode_options() (option_help.h), the folder-only options under their own heading.
constexpr const char* kSynopsis =
    "usage: toonbox cartoonize INPUT -o OUTPUT [options]\n"
    "       toonbox cartoonize DIR -o OUTDIR [--recursive] [--skip-existing] [options]\n"
    "       toonbox cartoonize FILE... -o OUTDIR [--format EXT] [options]   (also 'photos/*.jpg')\n"
    "\n"
    "INPUT `-` reads the image from stdin (format sniffed); -o - writes it to stdout (needs\n"
    "--format; every other line goes to stderr, and --json is refused).\n"
    "\n";

std::vector<ArgSpec> cartoonize_image_options() {
  return {kInputAlias,
          {"--output", true, "-o", false, "PATH",
           "output image; format from the extension (.png .jpg .jpeg .webp);\n`-` is stdout; a folder for a folder or several inputs"},
          {"--format", true, "", false, "EXT",
           "the output format: png, jpg or webp (needed with -o -; a file\nOUTPUT without an extension takes it, one with another is refused;\nfolders: every image's, png by default)"},
          {"--model", true, "", false, "NAME|PATH",
           "installed model name, a TF.js model.json/folder, an ONNX file,\nan ncnn .param, or 'classic' (default: the first installed of\nwhitebox, whitebox-uint8 and animeganv3-cute, else the built-in\nstyle); in portrait mode, the background model"},
          {"--head-model", true, "", false, "NAME|PATH", "portrait mode: the model for aligned head crops (default: --model)"},
          {"--mode", true, "", false, "M", "auto (default: portrait when faces are found), portrait or whole"},
          {"--long-side", true, "", false, "N", "output's longer side in pixels, 1..16384; 0 or absent: the input's"},
          {"--resolution", true, "", false, "R",
           "the short side the model runs at: auto (default: the model\nauthors' rule, e.g. at most 720 px for White-box), full (the\ninput's own size) or N pixels; the result is scaled to the output"},
          {"--channels", true, "", false, "rgb|bgr",
           "the model's channel order (default: the registry's for a known\nmodel, what `models import` recorded, else rgb)"},
          {"--min-face", true, "", false, "N",
           "portrait mode: faces smaller than N px keep the whole-frame\nresult (default 48)"},
          {"--face-score", true, "", false, "S",
           "portrait mode: detections scored below S (0..1) keep the\nwhole-frame result (default 0.8)"},
          {"--strength", true, "", false, "S", "0..1, blend of stylized and original (default 1)"},
          {"--tile", true, "", false, "N",
           "tile side in pixels for large images; 0 = automatic (default),\n-1 = never tile"},
          {"--upscale", true, "", false, "2|3|4",
           "finish every image with realesr-animevideov3-xN on the same device"},
          kDeviceListOption,
          kPrecisionOption,
          kMaxPixelsOption,
          kQualityOption,
          kOverwriteOption,
          {"--restore", true, "", false, "MODEL", "restore faces with this face restorer first (docs/restore.md)"},
          {"--fidelity", true, "", false, "W", "with --restore: CodeFormer's fidelity 0..1 (default 0.5)"},
          {"--timings", false, "", false, "", "report decode/upload/inference/download/encode and a warm run"},
          kJsonResultOption,
          {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print nothing but errors (and --json's objects)"},
          {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "",
           "add details: timings, the device's name and why it was chosen"},
          {"--help", false, "-h"}};
}

std::string usage() {
  return kSynopsis + option_list(cartoonize_image_options()) + kFolderHeading + option_list(folder_mode_options());
}

// Command-line mistakes exit with kExitUsage; everything found while working (a bad
// input file, an unusable device, a failed write) with kExitFailure.
int usage_error(bool json, const Status& s) { return cartoonize_fail(json, s, kExitUsage); }

}  // namespace

int cartoonize_fail(bool json, const Status& s, int exit_code, const std::string& device_line) {
  return report_failure("cartoonize", json, s, exit_code, device_line);
}

Status parse_integer_flag(const ParsedArgs& a, const char* flag, long long lo, long long hi, long long* out) {
  if (!a.has(flag)) return Status::ok();
  try {
    size_t used = 0;
    const long long v = std::stoll(a.get(flag), &used);
    if (used == a.get(flag).size() && v >= lo && v <= hi) {
      *out = v;
      return Status::ok();
    }
  } catch (...) {
  }
  return invalid_argument(std::string(flag) + " must be an integer in " + std::to_string(lo) + ".." +
                          std::to_string(hi));
}

Result<float> parse_unit_flag(const ParsedArgs& a, const char* flag) {
  float v = -1.f;
  try {
    size_t used = 0;
    v = std::stof(a.get(flag), &used);
    if (used != a.get(flag).size()) v = -1.f;
  } catch (...) {
    v = -1.f;
  }
  if (!(v >= 0.f && v <= 1.f)) return invalid_argument(std::string(flag) + " must be a number in 0..1");
  return v;
}

Result<pipeline::CartoonOptions> parse_cartoon_options(const ParsedArgs& a) {
  pipeline::CartoonOptions o;
  if (a.has("--mode")) {
    TB_ASSIGN_OR_RETURN(o.mode, pipeline::parse_cartoon_mode(a.get("--mode")));
  }
  long long long_side = o.long_side, tile = o.stylize.tile_size;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--long-side", 0, 16384, &long_side));  // 0 keeps the input's, as the API's long_side=0
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--tile", -1, 16384, &tile));
  o.long_side = static_cast<int>(long_side);
  o.stylize.tile_size = static_cast<int>(tile);
  long long min_face = o.min_face;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--min-face", 1, 16384, &min_face));
  o.min_face = static_cast<int>(min_face);
  if (a.has("--resolution")) {
    auto r = pipeline::parse_resolution(a.get("--resolution"));
    if (!r.is_ok()) return invalid_argument("--resolution: " + r.status().message());
    o.resolution = r.value();
  }
  if (a.has("--face-score")) {
    TB_ASSIGN_OR_RETURN(o.face_score, parse_unit_flag(a, "--face-score"));
  }
  if (o.stylize.tile_size > 0 && o.stylize.tile_size < 64) return invalid_argument("--tile must be at least 64 (or 0 / -1)");
  if (a.has("--strength")) {
    TB_ASSIGN_OR_RETURN(o.strength, parse_unit_flag(a, "--strength"));
  }
  return o;
}

Result<std::unique_ptr<pipeline::Upscaler>> load_finishing_upscaler(
    const ParsedArgs& a, const engine::DeviceSelection& device) {
  if (!a.has("--upscale")) return std::unique_ptr<pipeline::Upscaler>();
  long long scale = 0;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--upscale", 2, 4, &scale));
  return pipeline::load_upscaler("", static_cast<int>(scale), "", device);
}

// The options, also for `toonbox completion`.
std::vector<ArgSpec> cartoonize_options() {
  std::vector<ArgSpec> all = cartoonize_image_options();
  for (ArgSpec& s : folder_mode_options()) all.push_back(std::move(s));
  return all;
}

int cmd_cartoonize(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, cartoonize_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox cartoonize: %s\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", usage().c_str());
    return kExitOk;
  }
  // With -o -, stdout is the image's: not even a JSON error object goes there.
  const bool json = a.has("--json") && !is_stdio(a.get("--output"));
  if (a.positional.empty() || !a.has("--output")) {
    std::fprintf(stderr, "toonbox cartoonize: need INPUT (or several) and -o OUTPUT\n%s", usage().c_str());
    return kExitUsage;
  }
  const std::string output = a.get("--output");
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return usage_error(json, verbosity.status());
  auto options = parse_cartoon_options(a);
  if (!options.is_ok()) return usage_error(json, options.status());
  auto inputs = expand_inputs(a.positional, output);
  if (!inputs.is_ok()) return cartoonize_fail(json, inputs.status(), exit_code_for(inputs.status()));
  if (inputs->several) return cartoonize_folder(a, options.value(), inputs->paths);
  const std::string input = inputs->paths[0];
  std::error_code dir_ec;
  if (!is_stdio(input) && std::filesystem::is_directory(input, dir_ec)) return cartoonize_folder(a, options.value());
  // Everything that can be checked before doing work is checked first, so a typo never
  // costs a model load or leaves anything behind; the input is read and decoded before
  // the model is loaded, so a missing or corrupt file is reported at once.
  auto format = check_single_image_args(a, input, output);
  if (!format.is_ok()) return usage_error(json, format.status());
  auto decode_options = parse_decode_options(a);
  if (!decode_options.is_ok()) return usage_error(json, decode_options.status());
  auto quality = parse_quality(a);
  if (!quality.is_ok()) return usage_error(json, quality.status());
  const image::EncodeOptions encoding{format.value(), quality.value()};
  const Console out(is_stdio(output), verbosity.value());
  auto flags = parse_contract_flags(a);
  if (!flags.is_ok()) return usage_error(json, flags.status());
  // Starting the device (on a GPU: the plugin's libraries, the CUDA context) is the largest
  // share of a cold start and needs neither the image nor the model, so it runs on its own
  // thread while they are read. Errors keep their order: the input's, the device's, the
  // model's.
  double device_ms = 0;
  std::future<Result<engine::DeviceSelection>> device_start =
      std::async(std::launch::async, [spec = a.get("--device", "auto"), precision = a.get("--precision", "auto"),
                                      &device_ms] {
        const auto start = std::chrono::steady_clock::now();
        auto selected = engine::select_device(spec, precision);
        device_ms = ms_since(start);
        return selected;
      });
  auto t0 = std::chrono::steady_clock::now();
  auto image = read_input_image(input, decode_options.value());
  if (!image.is_ok()) return cartoonize_fail(json, image.status(), kExitFailure);
  const double decode_ms = ms_since(t0);
  startup_mark("input decoded");
  std::string note;
  t0 = std::chrono::steady_clock::now();
  auto sources = pipeline::load_cartoon_sources(a.get("--model"), a.get("--head-model"), &note, flags.value());
  double load_ms = ms_since(t0);
  startup_mark("model read");

  auto device = device_start.get();
  if (!device.is_ok()) return cartoonize_fail(json, device.status(), exit_code_for(device.status()));
  const std::string device_line = device->summary();
  startup_mark("device ready");
  if (!sources.is_ok()) return cartoonize_fail(json, sources.status(), kExitFailure, device_line);
  t0 = std::chrono::steady_clock::now();
  auto models = pipeline::bind_cartoon_models(std::move(sources).value(), options->mode, device.value());
  if (!models.is_ok()) return cartoonize_fail(json, models.status(), kExitFailure, device_line);
  load_ms += ms_since(t0);
  startup_mark("model placed on the device");
  auto restore = load_restore_before_cartoonize(a, device.value());
  if (!restore.is_ok()) return cartoonize_fail(json, restore.status(), exit_code_for(restore.status()), device_line);
  pipeline::CartoonPipeline pipeline(std::move(models).value());
  const pipeline::ModelSource& model = pipeline.models().background->model();
  auto finishing = load_finishing_upscaler(a, device.value());
  if (!finishing.is_ok()) return cartoonize_fail(json, finishing.status(), exit_code_for(finishing.status()), device_line);
  if (!json) {
    if (!note.empty()) out.status("note: %s\n", note.c_str());
    out.status("model: %s (%s)\n", model.name.c_str(), model.description.c_str());
    out.status("device: %s\n", device_line.c_str());
  out.detail("  device details: %s, %s; chosen: %s\n", device->backend->device().id.c_str(),
             device->backend->device().label.c_str(), device->reason.c_str());
  }

  const std::string input_name = input_label(input);
  std::vector<std::string> restore_notes;
  auto restored = restore_before_cartoonize(restore->get(), a, image.value(), &restore_notes);
  if (!restored.is_ok()) return cartoonize_fail(json, restored.status().with_context(input_name), kExitFailure, device_line);
  image = std::move(restored);

  pipeline::CartoonReport report;
  auto result = pipeline.process(image.value(), options.value(), &report);
  report.notes.insert(report.notes.begin(), restore_notes.begin(), restore_notes.end());
  if (!result.is_ok()) return cartoonize_fail(json, result.status().with_context(input_name), kExitFailure, device_line);
  const pipeline::StylizeTimings& first = report.background;
  pipeline::CartoonReport warm_report;
  if (a.has("--timings")) {
    // A second, identical run measures the warm path (compiled graph, tuned algorithms).
    auto again = pipeline.process(image.value(), options.value(), &warm_report);
    if (!again.is_ok()) return cartoonize_fail(json, again.status().with_context(input_name), kExitFailure, device_line);
  }
  const pipeline::StylizeTimings& warm = warm_report.background;
  if (*finishing) {
    pipeline::UpscaleReport up_report;
    auto up = (*finishing)->upscale(result.value(), {}, &up_report);
    if (!up.is_ok()) return cartoonize_fail(json, up.status().with_context(input_name), kExitFailure, device_line);
    result = std::move(up);
    report.notes.push_back("upscaled x" + std::to_string((*finishing)->scale()) + " with " + (*finishing)->name());
  }

  startup_mark("image processed");
  t0 = std::chrono::steady_clock::now();
  Status written = write_output_image(output, result.value(), encoding);
  if (!written.is_ok()) return cartoonize_fail(json, written, kExitFailure, device_line);
  startup_mark("output written");
  const double encode_ms = ms_since(t0);

  const auto& r1 = first.run;
  const double first_ms = r1.compile_ms + r1.timings.upload_ms + r1.timings.compute_ms + r1.timings.download_ms;
  const double warm_ms = warm.run.timings.upload_ms + warm.run.timings.compute_ms + warm.run.timings.download_ms;
  if (json) {
    nlohmann::json j = {{"ok", true},
                        {"input", input},
                        {"output", output},
                        {"width", result->width},
                        {"height", result->height},
                        {"alpha", result->has_alpha()},
                        {"model", model.name},
                        {"mode", pipeline::cartoon_mode_name(report.mode_used)},
                        {"faces", report.faces},
                        {"process_width", report.process_width},
                        {"process_height", report.process_height},
                        {"tiles", first.tiles},
                        {"device", device->backend->device().id},
                        {"device_label", device->backend->device().label},
                        {"device_reason", device->reason},
                        {"precision", precision_name(device->precision)}};
    if (!note.empty()) j["note"] = note;
    j["notes"] = report.all_notes();
    nlohmann::json detections = nlohmann::json::array();
    for (const pipeline::FaceDecision& d : report.detections)
      detections.push_back({{"box", {d.face.x1, d.face.y1, d.face.x2, d.face.y2}},
                            {"score", d.face.score},
                            {"sharpness", d.sharpness},
                            {"verdict", d.verdict}});
    j["detections"] = detections;
    if (a.has("--timings")) {
      j["timings_ms"] = {{"decode", decode_ms},
                         {"device_init", device_ms},
                         {"model_load", load_ms},
                         {"resize", report.resize_ms},
                         {"preprocess", first.preprocess_ms},
                         {"detect", report.detect_ms},
                         {"heads", report.heads_ms},
                         {"detect_warm", warm_report.detect_ms},
                         {"heads_warm", warm_report.heads_ms},
                         {"finish", report.finish_ms},
                         {"compile", r1.compile_ms},
                         {"upload", r1.timings.upload_ms},
                         {"inference_first", r1.timings.compute_ms},
                         {"download", r1.timings.download_ms},
                         {"first_total", first_ms},
                         {"inference_warm", warm.run.timings.compute_ms},
                         {"warm_total", warm_ms},
                         {"pipeline_first", report.total_ms},
                         {"pipeline_warm", warm_report.total_ms},
                         {"postprocess", first.postprocess_ms},
                         {"encode", encode_ms},
                         {"arena_mib", r1.arena_bytes / 1048576.0}};
    }
    std::printf("%s\n", json_text(j).c_str());
  } else {
    for (const auto& n : report.all_notes()) out.status("note: %s\n", n.c_str());
    std::string faces;
    if (report.mode_used == pipeline::CartoonMode::kPortrait)
      faces = ", " + std::to_string(report.faces) + (report.faces == 1 ? " face" : " faces");
    out.result("wrote %s (%dx%d%s, %s mode%s)\n", output_label(output).c_str(), result->width, result->height,
               result->has_alpha() ? ", alpha kept" : "", pipeline::cartoon_mode_name(report.mode_used), faces.c_str());
    // --timings asks for the block (a result: stdout); -v adds it as a detail (stderr),
    // without the warm run only --timings pays for.
    const bool warm_measured = a.has("--timings");
    if (warm_measured || out.verbose()) {
      const auto line = warm_measured ? &Console::result : &Console::detail;
      (out.*line)("timings (ms):\n");
      (out.*line)("  decode            %9.2f\n", decode_ms);
      (out.*line)("  device init       %9.2f   (%s; while the input decoded and the model loaded)\n", device_ms,
                  device->is_gpu ? "CUDA plugin, context" : "CPU backend");
      (out.*line)("  model load        %9.2f   (read, import checks, weights%s)\n", load_ms,
                  options->mode == pipeline::CartoonMode::kWhole ? "" : ", face detector");
      if (report.resize_ms > 0)
        (out.*line)("  resize            %9.2f   (to %dx%d for the model)\n", report.resize_ms, report.process_width,
                    report.process_height);
      (out.*line)("  preprocess        %9.2f\n", first.preprocess_ms);
      (out.*line)("  compile           %9.2f   (specialize + plan%s)\n", r1.compile_ms,
                  device->is_gpu ? " + cuDNN algorithm search" : " + oneDNN primitives");
      (out.*line)("  upload            %9.2f\n", r1.timings.upload_ms);
      (out.*line)("  inference first   %9.2f\n", r1.timings.compute_ms);
      if (warm_measured) (out.*line)("  inference warm    %9.2f\n", warm.run.timings.compute_ms);
      (out.*line)("  download          %9.2f\n", r1.timings.download_ms);
      (out.*line)("  postprocess       %9.2f\n", first.postprocess_ms);
      if (report.mode_used == pipeline::CartoonMode::kPortrait || report.detect_ms > 0) {
        (out.*line)("  detect faces      %9.2f\n", report.detect_ms);
        (out.*line)("  heads             %9.2f   (%d crop%s: align, head model, paste)\n", report.heads_ms,
                    report.faces, report.faces == 1 ? "" : "s");
        if (warm_measured)
          (out.*line)("  detect, heads warm %8.2f, %.2f\n", warm_report.detect_ms, warm_report.heads_ms);
      }
      (out.*line)("  finish            %9.2f   (strength, long side)\n", report.finish_ms);
      (out.*line)("  encode            %9.2f\n", encode_ms);
      (out.*line)("  frame first       %9.2f   (compile + upload + inference + download)\n", first_ms);
      if (warm_measured) (out.*line)("  frame warm        %9.2f\n", warm_ms);
      (out.*line)("  first run total   %9.2f   (resize, detection, frame, heads, finish)\n", report.total_ms);
      if (warm_measured) (out.*line)("  warm run total    %9.2f\n", warm_report.total_ms);
      (out.*line)("  activation arena  %9.1f MiB\n", r1.arena_bytes / 1048576.0);
    }
  }
  return kExitOk;
}

}  // namespace toonbox::cli
