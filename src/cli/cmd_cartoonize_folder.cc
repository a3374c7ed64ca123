// toonbox cartoonize DIR -o OUTDIR: plan (batch/folder_plan), load the model, run the
// decode -> device -> encode stages (batch/folder_runner) and report (batch/folder_report),
// through what folder_command.h shares with `upscale DIR`. This file only turns the
// cartoonize flags into those calls.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/contract_flags.h"
#include "cli/folder_command.h"
#include "engine/device_select.h"
#include "image/image_io.h"
#include "pipeline/cartoon_pipeline.h"

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
}  // namespace

int cartoonize_folder(const ParsedArgs& args, const CartoonOptions& options) {
  // JSON lines whenever nobody watches a terminal: logs and pipes get parseable output.
  const bool json = args.has("--json") || !isatty(STDOUT_FILENO);
  auto flags = parse_folder_flags(args, kMaxBatchSize);
  if (!flags.is_ok()) return cartoonize_fail(json, flags.status(), kExitUsage);
  for (const char* single_only : {"--timings"})
    if (args.has(single_only))
      return cartoonize_fail(
          json, invalid_argument(std::string(single_only) + " applies to a single image, not a folder"), kExitUsage);

  auto plan = folder::plan_folder(flags->plan);
  if (!plan.is_ok()) return cartoonize_fail(json, plan.status(), exit_code_for(plan.status()));

  auto device = select_device(args.get("--device", "auto"), args.get("--precision", "auto"));
  if (!device.is_ok()) return cartoonize_fail(json, device.status(), exit_code_for(device.status()));

  folder::RunContext context;
  context.input_dir = flags->plan.input_dir;
  context.output_dir = flags->plan.output_dir;
  context.skipped_existing = static_cast<int>(plan->already_done.size());
  context.device = device->summary();
  int batch_size = flags->batch_size;
  if (batch_size > 0) {
    context.batch_rule = "--batch-size";
  } else {
    batch_size = device->is_gpu ? kAutoBatchGpu : kAutoBatchCpu;
    context.batch_rule = device->is_gpu ? "automatic: 1 on a GPU (measured fastest: the host, not the GPU, is the limit)" : "automatic: 1 on the CPU";
  }
  context.batch_size = batch_size;

  auto removed = prepare_output_folders(plan.value(), flags->plan.output_dir);
  if (!removed.is_ok()) return cartoonize_fail(json, removed.status(), kExitFailure);
  const int cleaned = removed.value();

  std::string note;
  std::string model_name = "(none loaded)";
  std::unique_ptr<CartoonPipeline> pipeline;
  if (!plan->todo.empty()) {
    auto flags = parse_contract_flags(args);
    if (!flags.is_ok()) return cartoonize_fail(json, flags.status(), kExitUsage);
    auto models = load_cartoon_models(args.get("--model"), args.get("--head-model"), options.mode, device.value(),
                                      &note, flags.value());
    if (!models.is_ok()) return cartoonize_fail(json, models.status(), kExitFailure);
    pipeline = std::make_unique<CartoonPipeline>(std::move(models).value());
    model_name = pipeline->models().background->model().name;
  }
  context.model = model_name;
  auto finishing = load_finishing_upscaler(args, device.value());
  if (!finishing.is_ok()) return cartoonize_fail(json, finishing.status(), exit_code_for(finishing.status()));

  if (!json) {
    if (!note.empty()) std::printf("note: %s\n", note.c_str());
    if (pipeline)
      std::printf("model: %s (%s)\n", model_name.c_str(), pipeline->models().background->model().description.c_str());
    std::printf("device: %s\n", context.device.c_str());
    std::printf("%zu image%s to cartoonize into %s", plan->todo.size(), plan->todo.size() == 1 ? "" : "s",
                context.output_dir.c_str());
    if (!plan->already_done.empty()) std::printf(" (%zu already done, skipped)", plan->already_done.size());
    std::printf("; batch size %d (%s)\n", batch_size, context.batch_rule.c_str());
    for (const auto& n : plan->notes) std::printf("note: %s\n", n.c_str());
    if (cleaned)
      std::printf("note: removed %d temporary file%s of an interrupted run\n", cleaned, cleaned == 1 ? "" : "s");
    std::fflush(stdout);
  }

  folder::DeviceFn run_device = [&](const std::vector<const Image*>& images,
                                   std::vector<folder::ImageNote>* notes) -> Result<std::vector<Image>> {
    std::vector<CartoonReport> reports;
    TB_ASSIGN_OR_RETURN(std::vector<Image> out, pipeline->process_batch(images, options, &reports));
    for (const CartoonReport& r : reports) notes->push_back({cartoon_mode_name(r.mode_used), r.faces, r.all_notes()});
    if (*finishing)
      for (size_t i = 0; i < out.size(); ++i) {
        TB_ASSIGN_OR_RETURN(out[i], (*finishing)->upscale(out[i]));
        (*notes)[i].notes.push_back("upscaled x" + std::to_string((*finishing)->scale()));
      }
    return out;
  };
  return run_planned_folder("cartoonize", json, plan.value(), run_device, flags->runner, device->is_gpu, context, note);
}

}  // namespace toonbox::cli
