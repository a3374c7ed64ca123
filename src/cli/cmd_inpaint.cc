// toonbox inpaint IMAGE --mask MASK -o OUTPUT: remove what the mask marks (white >= 128,
// or the image's transparent pixels with --mask alpha) and fill it, with the built-in
// classical methods or an inpainting network (pipeline/inpaint/).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error_code.h"
#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/contract_flags.h"
#include "cli/inpaint_command.h"
#include "cli/folder_command.h"
#include "cli/input_list.h"
#include "cli/option_help.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "core/json_text.h"
#include "engine/device_select.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option lists under it are generated from inpaint_image_options()
// and inpaint_folder_options() (option_help.h), the folder-only options under their own
// heading.
constexpr const char* kSynopsis =
    "usage: toonbox inpaint IMAGE --mask MASK -o OUTPUT [options]\n"
    "       toonbox inpaint DIR --mask DIR|FILE -o OUTDIR [options]\n"
    "       toonbox inpaint IMAGE... --mask DIR|FILE -o OUTDIR [options]   (also 'photos/*.jpg')\n"
    "\n"
    "IMAGE `-` reads the photo from stdin (the mask cannot come from there); -o - writes it\n"
    "to stdout (needs --format; every other line goes to stderr, and --json is refused).\n"
    "\n";

std::vector<ArgSpec> inpaint_image_options() {
  return {kInputAlias,
          {"--mask", true, "", false, "FILE|DIR|alpha",
           "what to remove: white (>= 128) pixels of a mask image of the\nphoto's size; `alpha`: the photo's transparent pixels. For a\n"
           "folder (or several images): a folder of masks matched by file\nname (a.jpg takes a.png, a.jpg, ... from it), or one mask for\n"
           "every image; `centre:P` (one image): a centred box P% of each\nside (benchmarks)"},
          {"--output", true, "-o", false, "PATH",
           "output image; format from the extension (.png .jpg .jpeg .webp);\n`-` is stdout; a folder for a folder or several inputs"},
          {"--format", true, "", false, "EXT",
           "the output format: png, jpg or webp (needed with -o -; a file\nOUTPUT without an extension takes it, one with another is refused;\nfolders: every image's, png by default)"},
          {"--model", true, "", false, "NAME|PATH",
           "telea (built-in, Telea 2004), ns (built-in, Navier-Stokes), an\ninstalled inpainter or an inpainting model file (default: the\nfirst installed inpainter, else telea)"},
          {"--radius", true, "", false, "N", "the built-in methods' neighbourhood, 1..100 (default 4)"},
          {"--dilate", true, "", false, "PX", "grow the mask by PX pixels first, 0..512 (default 0)"},
          {"--resize-mask", false, "", false, "",
           "scale a mask of another size to the photo's (nearest); without\nit such a mask is refused"},
          {"--strategy", true, "", false, "S",
           "crop (default: one box per masked region with a 128 px margin,\nwhen the long side is over 800 px), resize (run at a long side\n"
           "of at most 1280 px, scale back) or original (the whole image)"},
          {"--write-unchanged", false, "", false, "", "with an empty mask, still write the image (unchanged)"},
          {"--mask-convention", true, "", false, "C",
           "a network's mask values: hole=V,known=V, lama or migan (for a\nmodel the registry does not know)"},
          {"--layout", true, "", false, "nchw|nhwc", "a network's input/output layout (default: from the input shape)"},
          {"--channels", true, "", false, "rgb|bgr",
           "a network's channel order (default: the registry's for a known\nmodel, what `models import` recorded, else rgb)"},
          {"--range", true, "", false, "LO,HI",
           "a network's output value range (default: the registry's, what\n`models import` recorded, else from the output op: Tanh -1,1,\nSigmoid 0,1, Clip; or else 0,1)"},
          {"--input-range", true, "", false, "LO,HI", "a network's input value range (default: the output range)"},
          {"--multiple", true, "", false, "N",
           "pad a network's H and W to a multiple of N, cropped after\n(default 8)"},
          {"--device", true, "", false, "D", "auto (default), cpu, cuda or cuda:N (networks only)"},
          {"--precision", true, "", false, "P", "auto, fp32, tf32 (GPU) or fp16"},
          kQualityOption,
          kOverwriteOption,
          {"--json", false, "", false, "", "machine-readable lines"},
          {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print nothing but errors (and --json's objects)"},
          {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "", "add details: the mask's size"},
          {"--help", false, "-h"}};
}

// Options only a folder (or a list of files) takes, listed under "folders".
std::vector<ArgSpec> inpaint_folder_options() {
  return {{"--recursive", false, "", false, "", "include subfolders (the output mirrors the tree)"},
          {"--skip-existing", false, "", false, "", "skip images whose output exists (resume an interrupted run)"},
          {"--allow-inside", false, "", false, "", "allow OUTDIR inside the input tree"},
          kMaxPixelsOption};
}

std::string usage() {
  return kSynopsis + option_list(inpaint_image_options()) + kFolderHeading + option_list(inpaint_folder_options());
}

int usage_error(bool json, const Status& s) {
  if (!json) std::fprintf(stderr, "%s", usage().c_str());
  return inpaint_fail(json, s, kExitUsage);
}

}  // namespace

int inpaint_fail(bool json, const Status& s, int exit_code) {
  if (json) {
    nlohmann::json j = {{"ok", false}, {"error", s.message()}, {"code", error_code(s.code())}};
    std::printf("%s\n", json_text(j).c_str());
  }
  std::fprintf(stderr, "toonbox inpaint: %s\n", s.message().c_str());
  return exit_code;
}

Result<InpaintFlags> parse_inpaint_flags(const ParsedArgs& a) {
  InpaintFlags f;
  f.mask = a.get("--mask");
  if (f.mask.empty()) return invalid_argument("--mask is required (a mask image, a folder of masks, or alpha)");
  long long radius = f.options.radius, dilate = 0;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--radius", 1, 100, &radius));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--dilate", 0, pipeline::kMaxDilate, &dilate));
  f.options.radius = static_cast<int>(radius);
  f.dilate = static_cast<int>(dilate);
  if (a.has("--strategy")) {
    TB_ASSIGN_OR_RETURN(f.options.strategy, pipeline::parse_inpaint_strategy(a.get("--strategy")));
  }
  f.resize_mask = a.has("--resize-mask");
  f.write_unchanged = a.has("--write-unchanged");
  return f;
}

Result<std::unique_ptr<pipeline::InpaintPipeline>> make_inpaint_pipeline(const ParsedArgs& a,
                                                                         std::string* note,
                                                                         std::string* device_line,
                                                                         bool* is_gpu) {
  TB_ASSIGN_OR_RETURN(models::ContractOverrides contract, parse_contract_flags(a));
  TB_ASSIGN_OR_RETURN(pipeline::InpaintModel model,
                      pipeline::load_inpaint_model(a.get("--model"), contract, note));
  if (model.classical) {
    *device_line = "CPU (the built-in methods run on the CPU)";
    return std::make_unique<pipeline::InpaintPipeline>(std::move(model), nullptr,
                                                       Precision::kFloat32);
  }
  TB_ASSIGN_OR_RETURN(
      engine::DeviceSelection device,
      engine::select_device(a.get("--device", "auto"), a.get("--precision", "auto")));
  *device_line = device.summary();
  if (is_gpu) *is_gpu = device.is_gpu;
  return std::make_unique<pipeline::InpaintPipeline>(std::move(model), device.backend,
                                                     device.precision);
}

// The options, also for `toonbox completion`.
std::vector<ArgSpec> inpaint_options() {
  std::vector<ArgSpec> all = inpaint_image_options();
  for (ArgSpec& s : inpaint_folder_options()) all.push_back(std::move(s));
  return all;
}

int cmd_inpaint(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, inpaint_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox inpaint: %s\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", usage().c_str());
    return kExitOk;
  }
  // With -o -, stdout is the image's: not even a JSON error object goes there.
  const bool json = a.has("--json") && !is_stdio(a.get("--output"));
  if (a.positional.empty() || !a.has("--output"))
    return usage_error(json, invalid_argument("need IMAGE (or several, or a folder) and -o OUTPUT"));
  auto flags = parse_inpaint_flags(a);
  if (!flags.is_ok()) return usage_error(json, flags.status());
  const std::string output = a.get("--output");
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return usage_error(json, verbosity.status());
  auto inputs = expand_inputs(a.positional, output);
  if (!inputs.is_ok()) return inpaint_fail(json, inputs.status(), exit_code_for(inputs.status()));
  if (inputs->several) return inpaint_folder(a, *flags, inputs->paths);
  const std::string input = inputs->paths[0];
  std::error_code ec;
  if (!is_stdio(input) && std::filesystem::is_directory(input, ec)) return inpaint_folder(a, *flags);
  for (const char* folder_only : {"--recursive", "--skip-existing", "--allow-inside", "--max-pixels"})
    if (a.has(folder_only))
      return usage_error(json, invalid_argument(std::string(folder_only) + " applies to a folder, not one image"));
  // stdin carries one stream: the image. A mask needs a file of its own.
  if (is_stdio(flags->mask))
    return usage_error(json, invalid_argument("--mask -: the mask cannot come from stdin (only IMAGE can); give a file"));
  if (is_stdio(output) && a.has("--json"))
    return usage_error(json, invalid_argument("--json and -o - both want stdout (the image goes there): drop --json, or write to a file"));
  auto format = output_format(a, output);
  if (!format.is_ok()) return usage_error(json, format.status());
  if (Status checked = check_output_path(input, output, a.has("--overwrite")); !checked.is_ok())
    return usage_error(json, checked);
  if (!is_stdio(output) && flags->mask != "alpha" && std::filesystem::equivalent(flags->mask, output, ec))
    return usage_error(json, invalid_argument(output + ": refusing to overwrite the mask"));
  long long quality = 92;
  if (Status q = parse_integer_flag(a, "--quality", 1, 100, &quality); !q.is_ok()) return usage_error(json, q);
  const image::EncodeOptions encoding{format.value(), static_cast<int>(quality)};
  const Console out(is_stdio(output), verbosity.value());

  // Inputs first (cheap, and the usual mistakes), then the model.
  auto image = read_input_image(input, image::DecodeOptions{});
  if (!image.is_ok()) return inpaint_fail(json, image.status(), kExitFailure);
  Result<pipeline::InpaintMask> mask = pipeline::InpaintMask{};
  if (const int centre = pipeline::parse_centre_mask(flags->mask)) {
    mask = pipeline::dilate_mask(pipeline::centre_box_mask(image->width, image->height, centre),
                                 flags->dilate);
  } else {
    Result<image::Image> mask_image = image::Image{};
    if (flags->mask != "alpha") {
      mask_image = image::read_image_file(flags->mask, image::DecodeOptions{});
      if (!mask_image.is_ok())
        return inpaint_fail(json, mask_image.status().with_context("the mask"), kExitFailure);
    }
    mask = pipeline::mask_for_image(*image, flags->mask == "alpha" ? nullptr : &mask_image.value(),
                                    flags->resize_mask, flags->dilate, flags->mask, input_label(input));
  }
  if (!mask.is_ok()) return inpaint_fail(json, mask.status(), kExitFailure);
  if (mask->empty() && !flags->write_unchanged) {
    const std::string what = "nothing to do: the mask " +
                             (flags->mask == "alpha" ? input_label(input) + "'s alpha" : flags->mask) +
                             " marks no pixel; " + output_label(output) +
                             " not written (--write-unchanged writes the image as it is)";
    if (json) {
      std::printf("%s\n", json_text(nlohmann::json{{"ok", true}, {"nothing_to_do", true}, {"message", what}}).c_str());
    } else {
      out.result("%s\n", what.c_str());
    }
    return kExitOk;
  }

  std::string note, device_line;
  auto pipeline = make_inpaint_pipeline(a, &note, &device_line);
  if (!pipeline.is_ok()) return inpaint_fail(json, pipeline.status(), exit_code_for(pipeline.status()));
  const pipeline::InpaintModel& model = (*pipeline)->model();
  if (!json) {
    if (!note.empty()) out.status("note: %s\n", note.c_str());
    out.status("model: %s (%s)\n", model.name.c_str(), model.description.c_str());
    if (!model.classical) out.status("  %s\n  inputs: %s\n", model.contract_how.c_str(), model.inputs.describe().c_str());
    out.status("device: %s\n", device_line.c_str());
    const double share = 100.0 * static_cast<double>(mask->count()) / (static_cast<double>(mask->width) * mask->height);
    out.detail("  mask: %lld pixels to fill (%.1f%% of %dx%d)\n", static_cast<long long>(mask->count()), share,
               mask->width, mask->height);
  }
  pipeline::InpaintReport report;
  auto result = (*pipeline)->inpaint(*image, *mask, flags->options, &report);
  if (!result.is_ok()) return inpaint_fail(json, result.status().with_context(input_label(input)), kExitFailure);
  Status written = write_output_image(output, *result, encoding);
  if (!written.is_ok()) return inpaint_fail(json, written, kExitFailure);
  if (json) {
    nlohmann::ordered_json j = {{"ok", true},
                                {"output", output},
                                {"width", result->width},
                                {"height", result->height},
                                {"model", model.name},
                                {"device", device_line},
                                {"hole_pixels", report.hole_pixels},
                                {"strategy", report.strategy_used},
                                {"regions", report.regions},
                                {"processed_pixels", report.processed_pixels},
                                {"method_ms", report.method_ms},
                                {"compile_ms", report.compile_ms},
                                {"notes", report.notes}};
    std::printf("%s\n", json_text(j).c_str());
  } else {
    for (const std::string& n : report.notes) out.status("note: %s\n", n.c_str());
    out.result("wrote %s (%dx%d): %lld pixels filled, %s, %lld pixels processed, %.1f ms (+ %.1f ms compile)\n",
                output_label(output).c_str(), result->width, result->height, static_cast<long long>(report.hole_pixels),
                report.strategy_used.c_str(), static_cast<long long>(report.processed_pixels), report.method_ms,
                report.compile_ms);
  }
  return kExitOk;
}

}  // namespace toonbox::cli
