// toonbox run --model MODEL INPUT -o OUTPUT: any image-to-image model (ONNX file, TF.js
// model, or installed name), with layout, channel order and value range from the
// registry (known models), detected from the graph, recorded at import, or given by flags.
#include <cstdio>
#include <filesystem>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/contract_flags.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "pipeline/image_model.h"

namespace toonbox::cli {

namespace {

constexpr const char* kUsage =
    "usage: toonbox run --model MODEL INPUT -o OUTPUT [options]\n"
    "\n"
    "  -i, --input PATH       INPUT by name (as realesrgan-ncnn-vulkan takes it); may be repeated\n"
    "  --model FILE|NAME      a .onnx file, a TF.js model.json/folder, an ncnn .param or\n"
    "                         .param.bin, or an installed model\n"
    "  --bin FILE             ncnn weights (default: X.bin beside X.param, or the only .bin\n"
    "                         in its folder)\n"
    "  -o, --output PATH      output image (.png .jpg .jpeg .webp)\n"
    "  --layout nchw|nhwc     input/output layout (default: from the input shape)\n"
    "  --channels rgb|bgr     channel order (default: the registry's for a known model, what\n"
    "                         `models import` recorded, else rgb)\n"
    "  --range LO,HI          output value range, e.g. -1,1 / 0,1 / 0,255 (default: from the\n"
    "                         output op: Tanh -1,1, Sigmoid 0,1, Clip; else 0,1)\n"
    "  --input-range LO,HI    input value range (default: the output range)\n"
    "  --multiple N           pad H and W (edge) to a multiple of N, cropped after (default 16)\n"
    "  --device D             auto (default), cpu, cuda or cuda:N\n"
    "  --precision P          auto, fp32 or fp16\n"
    "  --overwrite            replace OUTPUT if it exists (never the input)\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -v, --verbose          add details: the device's name and why it was chosen\n";

int fail(const Status& s, int code) {
  std::fprintf(stderr, "toonbox run: %s\n", s.message().c_str());
  return code;
}

}  // namespace

// The options, also for `toonbox completion`.
std::vector<ArgSpec> run_options() {
  return {kInputAlias,
          {"--model", true},
          {"--output", true, "-o"},
          {"--layout", true},
          {"--channels", true},
          {"--range", true},
          {"--input-range", true},
          {"--multiple", true},
          {"--bin", true},
          {"--device", true},
          {"--precision", true},
          {"--overwrite", false},
          kQuietFlag,
          kVerboseFlag,
          {"--help", false, "-h"}};
}

int cmd_run(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, run_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox run: %s\n%s", parsed.status().message().c_str(), kUsage);
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  if (a.positional.size() != 1 || !a.has("--output") || !a.has("--model")) {
    std::fprintf(stderr, "toonbox run: need --model, exactly one INPUT and -o OUTPUT\n%s", kUsage);
    return kExitUsage;
  }
  const std::string input = a.positional[0], output = a.get("--output");
  if (image::format_from_extension(output) == image::ImageFormat::kUnknown)
    return fail(
        invalid_argument(output + ": unknown output extension (use .png, .jpg, .jpeg or .webp)"),
        kExitUsage);
  std::error_code ec;
  if (std::filesystem::equivalent(input, output, ec))
    return fail(invalid_argument(output + ": refusing to overwrite the input image"), kExitUsage);
  if (std::filesystem::exists(output, ec) && !a.has("--overwrite"))
    return fail(invalid_argument(output + ": already exists (use --overwrite to replace it)"),
                kExitUsage);

  auto flags = parse_contract_flags(a);
  if (!flags.is_ok()) return fail(flags.status(), kExitUsage);
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) return fail(verbosity.status(), kExitUsage);
  const Console out(false, verbosity.value());
  // The input is read before the model is loaded: a missing file costs nothing.
  auto image = image::read_image_file(input, image::DecodeOptions{});
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
  if (!result.is_ok()) return fail(result.status().with_context(input), kExitFailure);
  Status written = image::write_image_file(output, *result);
  if (!written.is_ok()) return fail(written, kExitFailure);
  out.result("wrote %s (%dx%d), inference %.1f ms (+ %.1f ms compile)\n", output.c_str(),
             result->width, result->height, report.timings.compute_ms, report.compile_ms);
  return kExitOk;
}

}  // namespace toonbox::cli
