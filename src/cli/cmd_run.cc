// toonbox run --model MODEL INPUT -o OUTPUT: any image-to-image model (ONNX file, TF.js
// model, or installed name), with layout, channel order and value range from the
// registry (known models), detected from the graph, recorded at import, or given by flags.
// INPUT and OUTPUT are files or `-` (stdin/stdout), as for the other image commands.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/contract_flags.h"
#include "cli/option_help.h"
#include "cli/single_image.h"
#include "cli/single_io.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "pipeline/image_model.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option list under it is generated from run_options() (option_help.h).
constexpr const char* kSynopsis =
    "usage: toonbox run --model MODEL INPUT -o OUTPUT [options]\n"
    "\n"
    "INPUT `-` reads the image from stdin (format sniffed); -o - writes it to stdout (needs\n"
    "--format; every other line goes to stderr).\n"
    "\n";

std::string usage() { return kSynopsis + option_list(run_options()); }

int fail(const Status& s, int code) {
  std::fprintf(stderr, "toonbox run: %s\n", s.message().c_str());
  return code;
}

}  // namespace

// The options, also for `toonbox completion` and the option list of --help.
std::vector<ArgSpec> run_options() {
  return {kInputAlias,
          {"--model", true, "", false, "FILE|NAME",
           "a .onnx file, a TF.js model.json/folder, an ncnn .param or\n.param.bin, or an installed model"},
          {"--bin", true, "", false, "FILE",
           "ncnn weights (default: X.bin beside X.param, or the only .bin\nin its folder)"},
          {"--output", true, "-o", false, "PATH",
           "output image; format from the extension (.png .jpg .jpeg .webp);\n`-` is stdout (needs --format)"},
          {"--format", true, "", false, "EXT",
           "the output format: png, jpg or webp (needed with -o -; a file\nOUTPUT without an extension takes it, one with another is refused)"},
          {"--layout", true, "", false, "nchw|nhwc", "input/output layout (default: from the input shape)"},
          {"--channels", true, "", false, "rgb|bgr",
           "channel order (default: the registry's for a known model, what\n`models import` recorded, else rgb)"},
          {"--range", true, "", false, "LO,HI",
           "output value range, e.g. -1,1 / 0,1 / 0,255 (default: from the\noutput op: Tanh -1,1, Sigmoid 0,1, Clip; else 0,1)"},
          {"--input-range", true, "", false, "LO,HI", "input value range (default: the output range)"},
          {"--multiple", true, "", false, "N", "pad H and W (edge) to a multiple of N, cropped after (default 16)"},
          {"--device", true, "", false, "D", "auto (default), cpu, cuda or cuda:N"},
          {"--precision", true, "", false, "P", "auto, fp32, tf32 (GPU) or fp16"},
          kMaxPixelsOption,
          kQualityOption,
          kOverwriteOption,
          {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print nothing but errors"},
          {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "",
           "add details: the device's name and why it was chosen"},
          {"--help", false, "-h"}};
}

int cmd_run(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, run_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox run: %s\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", usage().c_str());
    return kExitOk;
  }
  if (a.positional.size() != 1 || !a.has("--output") || !a.has("--model")) {
    std::fprintf(stderr, "toonbox run: need --model, exactly one INPUT and -o OUTPUT\n%s", usage().c_str());
    return kExitUsage;
  }
  const std::string input = a.positional[0], output = a.get("--output");
  // The checks every single-image command makes (single_image.h): OUTPUT's format from
  // --format or its extension, not the input, not existing without --overwrite.
  auto format = check_single_image_args(a, input, output);
  if (!format.is_ok()) return fail(format.status(), kExitUsage);
  auto decode_options = parse_decode_options(a);
  if (!decode_options.is_ok()) return fail(decode_options.status(), kExitUsage);
  auto quality = parse_quality(a);
  if (!quality.is_ok()) return fail(quality.status(), kExitUsage);
  auto flags = parse_contract_flags(a);
  if (!flags.is_ok()) return fail(flags.status(), kExitUsage);
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return fail(verbosity.status(), kExitUsage);
  const Console out(is_stdio(output), verbosity.value());
  // The input is read before the model is loaded: a missing file costs nothing.
  auto image = read_input_image(input, decode_options.value());
  if (!image.is_ok()) return fail(image.status(), kExitFailure);
  auto device = engine::select_device(a.get("--device", "auto"), a.get("--precision", "auto"));
  if (!device.is_ok()) return fail(device.status(), exit_code_for(device.status()));
  auto model = pipeline::load_image_model(a.get("--model"), *flags, a.get("--bin"));
  if (!model.is_ok()) return fail(model.status(), kExitFailure);
  out.status("model: %s\n  %s\ndevice: %s\n", a.get("--model").c_str(), model->how.c_str(),
             device->summary().c_str());
  out.detail("  device details: %s, %s; chosen: %s\n", device->backend->device().id.c_str(),
             device->backend->device().label.c_str(), device->reason.c_str());
  engine::Session session(std::move(model->graph), device->backend, device->precision);
  engine::RunReport report;
  auto result = pipeline::run_image_model(session, model->contract, *image, &report);
  if (!result.is_ok()) return fail(result.status().with_context(input_label(input)), kExitFailure);
  Status written = write_output_image(output, *result, image::EncodeOptions{format.value(), quality.value()});
  if (!written.is_ok()) return fail(written, kExitFailure);
  out.result("wrote %s (%dx%d), inference %.1f ms (+ %.1f ms compile)\n", output_label(output).c_str(),
             result->width, result->height, report.timings.compute_ms, report.compile_ms);
  return kExitOk;
}

}  // namespace toonbox::cli
