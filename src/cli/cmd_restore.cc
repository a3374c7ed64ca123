// toonbox restore INPUT -o OUTPUT [options]: face restoration (pipeline/restore), one image
// or a folder (folder_command.h). docs/restore.md.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "pipeline/upscale/upscaler.h"
#include "cli/folder_command.h"
#include "cli/input_list.h"
#include "cli/option_help.h"
#include "cli/restore_flags.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "core/json_text.h"
#include "core/timing.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option lists under it are generated from restore_image_options()
// and folder_mode_options() (option_help.h), the folder-only options under their own
// heading.
constexpr const char* kSynopsis =
    "usage: toonbox restore INPUT -o OUTPUT [options]\n"
    "       toonbox restore DIR -o OUTDIR [--recursive] [--skip-existing] [options]\n"
    "       toonbox restore FILE... -o OUTDIR [--format EXT] [options]   (also 'photos/*.jpg')\n"
    "\n"
    "INPUT `-` reads the image from stdin (format sniffed); -o - writes it to stdout (needs\n"
    "--format; every other line goes to stderr, and --json is refused).\n"
    "\n";

std::vector<ArgSpec> restore_image_options() {
  std::vector<ArgSpec> spec = {
      kInputAlias,
      {"--output", true, "-o", false, "PATH",
       "output image; format from the extension (.png .jpg .jpeg .webp);\n`-` is stdout; a folder for a folder or several inputs"},
      {"--format", true, "", false, "EXT",
       "the output format: png, jpg or webp (needed with -o -; a file\nOUTPUT without an extension takes it, one with another is refused;\nfolders: every image's, png by default)"},
      {"--model", true, "", false, "NAME|PATH",
       "an installed face restorer or an .onnx file (GFPGAN 1.2-1.4, GPEN-BFR\n256/512/1024/2048, CodeFormer, RestoreFormer++ exports; default: the\none installed)"}};
  for (const ArgSpec& s : restore_arg_specs()) spec.push_back(s);
  const std::vector<ArgSpec> rest = {
      kDeviceListOption,
      kPrecisionOption,
      kMaxPixelsOption,
      kQualityOption,
      kOverwriteOption,
      {"--timings", false, "", false, "",
       "print the stage timings (decode, detect, restore, paste, encode;\nalso with -v and in --json's timings_ms; one image only)"},
      kJsonResultOption,
      {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print nothing but errors (and --json's objects)"},
      {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "",
       "add details: timings, the device's name and why it was chosen"},
      {"--help", false, "-h"}};
  spec.insert(spec.end(), rest.begin(), rest.end());
  return spec;
}

std::string usage() {
  return kSynopsis + option_list(restore_image_options()) + kFolderHeading + option_list(folder_mode_options());
}

int restore_fail(bool json, const Status& s, int exit_code, const std::string& device_line = "") {
  return report_failure("restore", json, s, exit_code, device_line);
}

nlohmann::json detections_json(const pipeline::RestoreReport& r) {
  nlohmann::json d = nlohmann::json::array();
  for (const pipeline::RestoredFace& f : r.detections)
    d.push_back({{"box", {f.face.x1, f.face.y1, f.face.x2, f.face.y2}}, {"score", f.face.score}, {"verdict", f.verdict}});
  return d;
}

// --upscale N: the background goes through the upscale task (the registry's xN upscaler,
// which must be installed); the faces are pasted onto it at N times their scale.
Status attach_background_upscaler(const pipeline::RestoreOptions& o,
                                  const engine::DeviceSelection& device,
                                  pipeline::RestoreModels* models) {
  if (o.upscale <= 1) return Status::ok();
  TB_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::Upscaler> loaded,
                      pipeline::load_upscaler("", o.upscale, "", device));
  std::shared_ptr<pipeline::Upscaler> upscaler = std::move(loaded);
  models->upscale = [upscaler](const image::Image& in, int) { return upscaler->upscale(in); };
  return Status::ok();
}

// A folder, or with `files` several inputs.
int restore_folder(const ParsedArgs& a, const pipeline::RestoreOptions& options,
                   const models::FaceRestoreOverrides& overrides, const std::vector<std::string>& files = {}) {
  FolderTask task;
  task.command = "restore";
  task.fail = [](bool json, const Status& s, int code) { return restore_fail(json, s, code); };
  task.load = [&](const engine::DeviceSelection& device, FolderModel* m) -> Status {
    TB_ASSIGN_OR_RETURN(pipeline::RestoreModels models,
                        pipeline::load_restore_models(a.get("--model"), overrides, device));
    TB_RETURN_IF_ERROR(attach_background_upscaler(options, device, &models));
    TB_RETURN_IF_ERROR(pipeline::check_restore_options(models, options));
    auto pipeline = std::make_shared<pipeline::RestorePipeline>(std::move(models));
    const models::FaceRestoreContract& c = pipeline->models().restorer->contract();
    m->name = pipeline->models().restorer->name();
    m->description = c.model + ", licence: " + c.licence;
    if (c.non_commercial) m->note = c.model + " is licensed for non-commercial use only";
    m->device = [pipeline, options](
                    const std::vector<const image::Image*>& images,
                    std::vector<folder::ImageNote>* notes) -> Result<std::vector<image::Image>> {
      std::vector<image::Image> out;
      for (const image::Image* image : images) {
        pipeline::RestoreReport r;
        TB_ASSIGN_OR_RETURN(image::Image restored, pipeline->process(*image, options, &r));
        out.push_back(r.nothing_to_write ? image::Image() : std::move(restored));
        notes->push_back({"restore", r.faces, r.notes});
      }
      return out;
    };
    return Status::ok();
  };
  return run_folder_command(a, task, files);
}

}  // namespace

// The options, also for `toonbox completion`.
std::vector<ArgSpec> restore_options() {
  std::vector<ArgSpec> all = restore_image_options();
  for (ArgSpec& s : folder_mode_options()) all.push_back(std::move(s));
  return all;
}

int cmd_restore(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, restore_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox restore: %s\n%s", parsed.status().message().c_str(), usage().c_str());
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
    std::fprintf(stderr, "toonbox restore: need INPUT (or several) and -o OUTPUT\n%s", usage().c_str());
    return kExitUsage;
  }
  const std::string output = a.get("--output");
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return restore_fail(json, verbosity.status(), kExitUsage);
  auto options = parse_restore_options(a);
  if (!options.is_ok()) return restore_fail(json, options.status(), kExitUsage);
  auto overrides = parse_restore_overrides(a);
  if (!overrides.is_ok()) return restore_fail(json, overrides.status(), kExitUsage);
  auto inputs = expand_inputs(a.positional, output);
  if (!inputs.is_ok()) return restore_fail(json, inputs.status(), exit_code_for(inputs.status()));
  if (inputs->several) return restore_folder(a, options.value(), overrides.value(), inputs->paths);
  const std::string input = inputs->paths[0];
  std::error_code dir_ec;
  if (!is_stdio(input) && std::filesystem::is_directory(input, dir_ec))
    return restore_folder(a, options.value(), overrides.value());
  // The arguments are checked and the image read before the model is loaded, so a typo or
  // a missing file costs nothing.
  auto format = check_single_image_args(a, input, output);
  if (!format.is_ok()) return restore_fail(json, format.status(), kExitUsage);
  auto decode_options = parse_decode_options(a);
  if (!decode_options.is_ok()) return restore_fail(json, decode_options.status(), kExitUsage);
  auto quality = parse_quality(a);
  if (!quality.is_ok()) return restore_fail(json, quality.status(), kExitUsage);
  const image::EncodeOptions encoding{format.value(), quality.value()};
  const Console out(is_stdio(output), verbosity.value());
  const auto t0 = std::chrono::steady_clock::now();
  auto image = read_input_image(input, decode_options.value());
  if (!image.is_ok()) return restore_fail(json, image.status(), kExitFailure);
  const double decode_ms = ms_since(t0);

  auto device = engine::select_device(a.get("--device", "auto"), a.get("--precision", "auto"));
  if (!device.is_ok()) return restore_fail(json, device.status(), exit_code_for(device.status()));
  const std::string device_line = device->summary();
  auto models = pipeline::load_restore_models(a.get("--model"), overrides.value(), device.value());
  // A model that cannot be used is a problem with a file, not with the command line.
  if (!models.is_ok()) return restore_fail(json, models.status(), kExitFailure, device_line);
  Status upscaler = attach_background_upscaler(options.value(), device.value(), &models.value());
  if (!upscaler.is_ok()) return restore_fail(json, upscaler, kExitFailure, device_line);
  Status usable = pipeline::check_restore_options(models.value(), options.value());
  if (!usable.is_ok()) return restore_fail(json, usable, kExitFailure, device_line);
  pipeline::RestorePipeline pipeline(std::move(models).value());
  const pipeline::FaceRestorer& restorer = *pipeline.models().restorer;
  const models::FaceRestoreContract& c = restorer.contract();
  if (!json) {
    out.status("model: %s (%s)\n  contract: %s\n  licence: %s%s\n", restorer.name().c_str(), c.model.c_str(),
               c.how.c_str(), c.licence.c_str(), c.non_commercial ? " — non-commercial use only" : "");
    out.status("device: %s\n", device_line.c_str());
  out.detail("  device details: %s, %s; chosen: %s\n", device->backend->device().id.c_str(),
             device->backend->device().label.c_str(), device->reason.c_str());
  }
  pipeline::RestoreReport report;
  auto result = pipeline.process(image.value(), options.value(), &report);
  if (!result.is_ok())
    return restore_fail(json, result.status().with_context(input_label(input)), kExitFailure, device_line);
  double encode_ms = 0;
  if (!report.nothing_to_write) {
    const auto t1 = std::chrono::steady_clock::now();
    Status written = write_output_image(output, result.value(), encoding);
    if (!written.is_ok()) return restore_fail(json, written, kExitFailure, device_line);
    encode_ms = ms_since(t1);
  }
  if (json) {
    nlohmann::json j = {
        {"ok", true},
        {"input", input},
        {"output", report.nothing_to_write ? nlohmann::json(nullptr) : nlohmann::json(output)},
        {"written", !report.nothing_to_write},
        {"width", result->width},
        {"height", result->height},
        {"model", restorer.name()},
        {"restorer", c.model},
        {"licence", c.licence},
        {"non_commercial", c.non_commercial},
        {"face_template", models::face_template_name(c.face_template)},
        {"face_size", c.size},
        {"faces", report.faces},
        {"faces_skipped", report.faces_skipped},
        {"device_calls", report.device_calls},
        {"batch", report.batch},
        {"detections", detections_json(report)},
        {"notes", report.notes},
        {"device", device->backend->device().id},
        {"precision", precision_name(restorer.precision())},
        {"timings_ms",
         {{"decode", decode_ms},
          {"detect", report.detect_ms},
          {"restore", report.restore_ms},
          {"paste", report.paste_ms},
          {"pipeline", report.total_ms},
          {"encode", encode_ms}}}};
    std::printf("%s\n", json_text(j).c_str());
  } else {
    for (const auto& n : report.notes) out.status("note: %s\n", n.c_str());
    if (report.nothing_to_write)
      out.result("nothing written to %s\n", output_label(output).c_str());
    else
      out.result("wrote %s (%dx%d, %d face%s restored in %d device call%s)\n", output_label(output).c_str(), result->width,
                  result->height, report.faces, report.faces == 1 ? "" : "s", report.device_calls,
                  report.device_calls == 1 ? "" : "s");
    // --timings asks for them as a result (stdout, as cartoonize's block); -v adds them
    // among its details (stderr).
    const char* timings = "timings (ms): decode %.1f, detect %.1f, restore %.1f, paste %.1f, pipeline %.1f, encode %.1f\n";
    if (a.has("--timings"))
      out.result(timings, decode_ms, report.detect_ms, report.restore_ms, report.paste_ms, report.total_ms, encode_ms);
    else
      out.detail(timings, decode_ms, report.detect_ms, report.restore_ms, report.paste_ms, report.total_ms, encode_ms);
  }
  return kExitOk;
}

}  // namespace toonbox::cli
