// toonbox run --model MODEL INPUT -o OUTPUT: any image-to-image model (ONNX file, TF.js
// model, or installed name), with layout, channel order and value range detected from
// the graph or given by flags.
#include <cstdio>
#include <filesystem>

#include "cli/args.h"
#include "cli/commands.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "import/onnx/onnx_importer.h"
#include "import/tfjs/tfjs_importer.h"
#include "models/registry.h"
#include "pipeline/image_model.h"

namespace toonbox::cli {

namespace {

constexpr const char* kUsage =
    "usage: toonbox run --model MODEL INPUT -o OUTPUT [options]\n"
    "\n"
    "  --model FILE|NAME      a .onnx file, a TF.js model.json/folder, or an installed model\n"
    "  -o, --output PATH      output image (.png .jpg .jpeg .webp)\n"
    "  --layout nchw|nhwc     input/output layout (default: from the input shape)\n"
    "  --channels rgb|bgr     channel order (default rgb)\n"
    "  --range LO,HI          output value range, e.g. -1,1 / 0,1 / 0,255 (default: from the\n"
    "                         output op: Tanh -1,1, Sigmoid 0,1, Clip; else 0,1)\n"
    "  --input-range LO,HI    input value range (default: the output range)\n"
    "  --multiple N           pad H and W (edge) to a multiple of N, cropped after (default 16)\n"
    "  --device D             auto (default), cpu, cuda or cuda:N\n"
    "  --precision P          auto, fp32 or fp16\n"
    "  --overwrite            replace OUTPUT if it exists (never the input)\n";

int fail(const Status& s, int code) {
  std::fprintf(stderr, "toonbox run: %s\n", s.message().c_str());
  return code;
}

Result<Graph> load_graph(const std::string& spec) {
  std::error_code ec;
  std::string path = spec;
  if (!std::filesystem::exists(spec, ec)) {
    if (spec.find('/') != std::string::npos) return not_found(spec + ": no such model file");
    TB_ASSIGN_OR_RETURN(InstalledModel m, find_installed_model(spec));
    path = m.entry_path;
  }
  if (std::filesystem::path(path).extension() == ".onnx") return import_onnx_model(path);
  return import_tfjs_model(path);
}

}  // namespace

int cmd_run(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, {{"--model", true},
                                  {"--output", true, "-o"},
                                  {"--layout", true},
                                  {"--channels", true},
                                  {"--range", true},
                                  {"--input-range", true},
                                  {"--multiple", true},
                                  {"--device", true},
                                  {"--precision", true},
                                  {"--overwrite", false},
                                  {"--help", false, "-h"}});
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
  if (format_from_extension(output) == ImageFormat::kUnknown)
    return fail(
        invalid_argument(output + ": unknown output extension (use .png, .jpg, .jpeg or .webp)"),
        kExitUsage);
  std::error_code ec;
  if (std::filesystem::equivalent(input, output, ec))
    return fail(invalid_argument(output + ": refusing to overwrite the input image"), kExitUsage);
  if (std::filesystem::exists(output, ec) && !a.has("--overwrite"))
    return fail(invalid_argument(output + ": already exists (use --overwrite to replace it)"),
                kExitUsage);

  ImageModelOverrides o;
  if (a.has("--layout")) {
    auto v = parse_layout(a.get("--layout"));
    if (!v.is_ok()) return fail(v.status(), kExitUsage);
    o.layout = *v;
  }
  if (a.has("--channels")) {
    auto v = parse_channel_order(a.get("--channels"));
    if (!v.is_ok()) return fail(v.status(), kExitUsage);
    o.channels = *v;
  }
  for (const char* flag : {"--range", "--input-range"}) {
    if (!a.has(flag)) continue;
    auto v = parse_value_range(a.get(flag));
    if (!v.is_ok()) return fail(v.status(), kExitUsage);
    (std::string(flag) == "--range" ? o.output_range : o.input_range) = *v;
  }
  if (a.has("--multiple")) {
    try {
      o.multiple = std::stoi(a.get("--multiple"));
    } catch (...) {
      return fail(invalid_argument("--multiple must be an integer"), kExitUsage);
    }
  }
  auto device = select_device(a.get("--device", "auto"), a.get("--precision", "auto"));
  if (!device.is_ok()) return fail(device.status(), exit_code_for(device.status()));
  auto graph = load_graph(a.get("--model"));
  if (!graph.is_ok()) return fail(graph.status(), kExitFailure);
  auto spec = detect_image_model_spec(*graph, o);
  if (!spec.is_ok()) return fail(spec.status(), kExitFailure);
  std::printf("model: %s\n  %s\ndevice: %s\n", a.get("--model").c_str(), spec->detected.c_str(),
              device->summary().c_str());
  std::fflush(stdout);
  auto image = read_image_file(input, DecodeOptions{});
  if (!image.is_ok()) return fail(image.status(), kExitFailure);
  Session session(std::move(graph).value(), device->backend, device->precision);
  RunReport report;
  auto result = run_image_model(session, *spec, *image, &report);
  if (!result.is_ok()) return fail(result.status().with_context(input), kExitFailure);
  Status written = write_image_file(output, *result);
  if (!written.is_ok()) return fail(written, kExitFailure);
  std::printf("wrote %s (%dx%d), inference %.1f ms (+ %.1f ms compile)\n", output.c_str(),
              result->width, result->height, report.timings.compute_ms, report.compile_ms);
  return kExitOk;
}

}  // namespace toonbox::cli
