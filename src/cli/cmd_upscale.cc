// toonbox upscale INPUT -o OUTPUT [-s 2|3|4] [--model NAME|PATH] [--tile N] [--tta]: an
// image (or a folder) through the upscale pipeline (pipeline/upscale/upscaler.h).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/folder_command.h"
#include "cli/input_list.h"
#include "cli/option_help.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "core/json_text.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "pipeline/upscale/upscaler.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option list under it is generated from upscale_options()
// (option_help.h), the folder-only options under their own heading.
constexpr const char* kSynopsis =
    "usage: toonbox upscale INPUT -o OUTPUT [options]\n"
    "       toonbox upscale DIR -o OUTDIR [--recursive] [--skip-existing] [options]\n"
    "       toonbox upscale FILE... -o OUTDIR [--format EXT] [options]   (also 'photos/*.jpg')\n"
    "\n"
    "INPUT `-` reads the image from stdin (format sniffed); -o - writes it to stdout (needs\n"
    "--format; every other line goes to stderr, and --json is refused).\n"
    "\n";

// Options only a folder (or a list of files) takes, listed under "folders".
std::vector<ArgSpec> upscale_folder_options() {
  return {{"--recursive", false, "", false, "", "include subfolders (the output mirrors the tree)"},
          {"--skip-existing", false, "", false, "", "skip images whose output exists (resume an interrupted run)"},
          {"--allow-inside", false, "", false, "", "allow OUTDIR inside the input tree"}};
}

std::vector<ArgSpec> upscale_image_options() {
  return {kInputAlias,
          {"--output", true, "-o", false, "PATH",
           "output image; format from the extension (.png .jpg .jpeg .webp);\n`-` is stdout; a folder for a folder or several inputs"},
          {"--format", true, "", false, "EXT",
           "the output format: png, jpg or webp (needed with -o -; a file\nOUTPUT without an extension takes it, one with another is refused;\nfolders: every image's, png by default)"},
          {"--scale", true, "-s", false, "2|3|4",
           "output scale; picks realesr-animevideov3-xN when no --model is\ngiven (default 4); with --model it must be the model's scale"},
          {"--model", true, "", false, "NAME|PATH",
           "an installed upscaler or its file (e.g. realcugan-2x-conservative,\nan ncnn .param); any model whose contract has a scale"},
          {"--bin", true, "", false, "FILE", "ncnn weights when not beside the .param"},
          {"--tile", true, "", false, "N",
           "tile side in input pixels (at least 64); 0 = automatic (default:\nthe whole image when it fits half the free memory), -1 = never"},
          {"--tta", false, "", false, "", "average the 8 flips/rotations (8x slower, slightly cleaner)"},
          {"--device", true, "", false, "D", "auto (default), cpu, cuda or cuda:N"},
          kPrecisionOption,
          {"--max-pixels", true, "", false, "N", "refuse input images larger than N pixels (default 50000000)"},
          kQualityOption,
          kOverwriteOption,
          kJsonResultOption,
          {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print nothing but errors (and --json's objects)"},
          {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "",
           "add details: the device's name and why it was chosen"},
          {"--help", false, "-h"}};
}

std::string usage() {
  return kSynopsis + option_list(upscale_image_options()) + kFolderHeading +
         option_list(upscale_folder_options());
}

constexpr const char* kCommand = "upscale";

int fail(bool json, const Status& s, int code, const std::string& device = "") {
  return report_failure(kCommand, json, s, code, device);
}

nlohmann::json report_json(const pipeline::UpscaleReport& r) {
  return {{"tiles", r.tiles},          {"passes", r.passes},       {"runs", r.runs},
          {"compile_ms", r.compile_ms}, {"compute_ms", r.compute_ms}, {"notes", r.notes}};
}

// A folder, or with `files` several inputs. Planned first, as every folder command is
// (run_folder_command), so a folder without images, an output collision or an existing
// output is reported before a device is chosen or a model loaded; the model is loaded
// only when there is an image to upscale.
int upscale_folder(const ParsedArgs& a, const pipeline::UpscaleOptions& options, int scale,
                   const std::vector<std::string>& files) {
  const bool json = folder_json(a);
  auto flags = parse_folder_flags(a, 1, files);
  if (!flags.is_ok()) return fail(json, flags.status(), kExitUsage);
  auto plan = plan_inputs(flags.value());
  if (!plan.is_ok()) return fail(json, plan.status(), exit_code_for(plan.status()));

  auto device = engine::select_device(a.get("--device", "auto"), a.get("--precision", "auto"));
  if (!device.is_ok()) return fail(json, device.status(), exit_code_for(device.status()));
  auto removed = prepare_output_folders(plan.value(), flags->plan.output_dir);
  if (!removed.is_ok()) return fail(json, removed.status(), kExitFailure);
  std::unique_ptr<pipeline::Upscaler> upscaler;
  if (!plan->todo.empty()) {
    auto loaded = pipeline::load_upscaler(a.get("--model"), scale, a.get("--bin"), device.value());
    if (!loaded.is_ok()) return fail(json, loaded.status(), exit_code_for(loaded.status()), device->summary());
    upscaler = std::move(loaded).value();
  }

  folder::RunContext context;
  context.input_dir = flags->plan.input_dir;
  context.output_dir = flags->plan.output_dir;
  context.skipped_existing = static_cast<int>(plan->already_done.size());
  context.device = device->summary();
  context.batch_size = 1;
  context.batch_rule = "one image per call (tiles of one image are the upscaler's unit)";
  context.model = upscaler ? upscaler->name() : "(none loaded)";
  const Console out(false, flags->verbosity);
  if (!json) {
    if (upscaler) out.status("model: %s\n", context.model.c_str());
    out.status("device: %s\n", context.device.c_str());
    out.status("%zu image%s to upscale into %s", plan->todo.size(), plan->todo.size() == 1 ? "" : "s",
                context.output_dir.c_str());
    if (!plan->already_done.empty()) out.status(" (%zu already done, skipped)", plan->already_done.size());
    out.status("\n");
    for (const auto& n : plan->notes) out.status("note: %s\n", n.c_str());
    if (*removed) out.status("note: removed %d temporary file%s of an interrupted run\n", *removed, *removed == 1 ? "" : "s");
  }
  const std::string mode = "upscale x" + std::to_string(upscaler ? upscaler->scale() : 0);
  folder::DeviceFn run_device =
      [&](const std::vector<const image::Image*>& images,
          std::vector<folder::ImageNote>* notes) -> Result<std::vector<image::Image>> {
    std::vector<image::Image> out;
    for (const image::Image* image : images) {
      pipeline::UpscaleReport report;
      TB_ASSIGN_OR_RETURN(image::Image up, upscaler->upscale(*image, options, &report));
      out.push_back(std::move(up));
      notes->push_back({mode, 0, report.notes});
    }
    return out;
  };
  return run_planned_folder(kCommand, json, plan.value(), run_device, flags->runner, device->is_gpu, context, "",
                            out.quiet());
}

}  // namespace

// The options, also for `toonbox completion`.
std::vector<ArgSpec> upscale_options() {
  std::vector<ArgSpec> all = upscale_image_options();
  for (ArgSpec& s : upscale_folder_options()) all.push_back(std::move(s));
  return all;
}

int cmd_upscale(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, upscale_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox upscale: %s\n%s", parsed.status().message().c_str(), usage().c_str());
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
    std::fprintf(stderr, "toonbox upscale: need INPUT (or several) and -o OUTPUT\n%s", usage().c_str());
    return kExitUsage;
  }
  const std::string output = a.get("--output");
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return fail(json, verbosity.status(), kExitUsage);
  auto inputs = expand_inputs(a.positional, output);
  if (!inputs.is_ok()) return fail(json, inputs.status(), exit_code_for(inputs.status()));
  const std::string input = inputs->paths[0];
  pipeline::UpscaleOptions options;
  long long tile = 0, scale = 0, quality = 92, max_pixels = image::DecodeOptions{}.max_pixels;
  Status flag_status = parse_integer_flag(a, "--tile", -1, 16384, &tile);
  if (flag_status.is_ok()) flag_status = parse_integer_flag(a, "--scale", 2, 4, &scale);
  if (flag_status.is_ok()) flag_status = parse_integer_flag(a, "--quality", 1, 100, &quality);
  if (flag_status.is_ok()) flag_status = parse_integer_flag(a, "--max-pixels", 1, 1LL << 40, &max_pixels);
  if (!flag_status.is_ok()) return fail(json, flag_status, kExitUsage);
  if (tile > 0 && tile < pipeline::kMinUpscaleTile)
    return fail(json,
                invalid_argument("--tile must be at least " +
                                 std::to_string(pipeline::kMinUpscaleTile) + " (or 0 / -1)"),
                kExitUsage);
  options.tile_size = static_cast<int>(tile);
  options.tta = a.has("--tta");
  std::error_code ec;
  const bool is_folder = inputs->several || (!is_stdio(input) && std::filesystem::is_directory(input, ec));
  if (is_folder) return upscale_folder(a, options, static_cast<int>(scale), inputs->several ? inputs->paths : std::vector<std::string>{});

  // One image: its arguments are checked and the image is read before the model is
  // loaded, so a typo or a missing file costs nothing.
  auto format = check_single_image_args(a, input, output);
  if (!format.is_ok()) return fail(json, format.status(), kExitUsage);
  const image::EncodeOptions encoding{format.value(), static_cast<int>(quality)};
  image::DecodeOptions decode;
  decode.max_pixels = max_pixels;
  auto image = read_input_image(input, decode);
  if (!image.is_ok()) return fail(json, image.status(), kExitFailure);

  auto device = engine::select_device(a.get("--device", "auto"), a.get("--precision", "auto"));
  if (!device.is_ok()) return fail(json, device.status(), exit_code_for(device.status()));
  const std::string device_line = device->summary();
  auto upscaler = pipeline::load_upscaler(a.get("--model"), static_cast<int>(scale), a.get("--bin"),
                                          device.value());
  if (!upscaler.is_ok()) return fail(json, upscaler.status(), exit_code_for(upscaler.status()), device_line);

  const Console out(is_stdio(output), verbosity.value());
  if (!json) {
    out.status("model: %s (x%d; %s)\ndevice: %s\n", (*upscaler)->name().c_str(), (*upscaler)->scale(),
               models::describe_contract((*upscaler)->contract()).c_str(), device_line.c_str());
  out.detail("  device details: %s, %s; chosen: %s\n", device->backend->device().id.c_str(),
             device->backend->device().label.c_str(), device->reason.c_str());
  }
  pipeline::UpscaleReport report;
  auto result = (*upscaler)->upscale(image.value(), options, &report);
  if (!result.is_ok())
    return fail(json, result.status().with_context(input_label(input)), exit_code_for(result.status()), device_line);
  Status written = write_output_image(output, result.value(), encoding);
  if (!written.is_ok()) return fail(json, written, kExitFailure, device_line);
  if (json) {
    nlohmann::json j = {{"ok", true},
                        {"input", input},
                        {"output", output},
                        {"width", result->width},
                        {"height", result->height},
                        {"input_width", image->width},
                        {"input_height", image->height},
                        {"scale", (*upscaler)->scale()},
                        {"alpha", result->has_alpha()},
                        {"model", (*upscaler)->name()},
                        {"tta", options.tta},
                        {"device", device->backend->device().id},
                        {"precision", precision_name(device->precision)}};
    j.update(report_json(report));
    std::printf("%s\n", json_text(j).c_str());
  } else {
    for (const auto& n : report.notes) out.status("note: %s\n", n.c_str());
    out.result("wrote %s (%dx%d from %dx%d, x%d, %d tile%s%s), inference %.1f ms (+ %.1f ms compile)\n",
                output_label(output).c_str(), result->width, result->height, image->width, image->height, (*upscaler)->scale(),
                report.tiles, report.tiles == 1 ? "" : "s", result->has_alpha() ? ", alpha upscaled" : "",
                report.compute_ms, report.compile_ms);
  }
  return kExitOk;
}

}  // namespace toonbox::cli
