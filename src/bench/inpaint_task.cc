#include "bench/inpaint_task.h"

#include "models/registry.h"
#include "pipeline/inpaint/inpaint_pipeline.h"

namespace toonbox::bench {

namespace {

constexpr int kMaskPercent = 25;

class InpaintRunner : public TaskRunner {
 public:
  InpaintRunner(pipeline::InpaintModel model, const engine::DeviceSelection& device)
      : description_(model.name + " (" + model.description + ")"),
        pipeline_(std::move(model), device.backend, device.precision) {
    options_.strategy = pipeline::InpaintStrategy::kOriginal;
  }

  Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                        CallReport* report) override {
    std::vector<image::Image> out;
    double compile_ms = 0, method_ms = 0;
    for (const image::Image* image : images) {
      pipeline::InpaintReport r;
      const pipeline::InpaintMask mask =
          pipeline::centre_box_mask(image->width, image->height, kMaskPercent);
      TB_ASSIGN_OR_RETURN(image::Image filled, pipeline_.inpaint(*image, mask, options_, &r));
      compile_ms += r.compile_ms;
      method_ms += r.method_ms;
      if (report) report->notes.insert(report->notes.end(), r.notes.begin(), r.notes.end());
      out.push_back(std::move(filled));
    }
    if (report) {
      report->run.compiled = compile_ms > 0;
      report->run.compile_ms = compile_ms;
      // The method's time (a network's upload, compute and download together).
      report->run.timings.compute_ms = method_ms;
      report->batch_ran = 1;  // each image has its own mask: one at a time
    }
    return out;
  }

  std::string description() const override { return description_; }

 private:
  std::string description_;
  pipeline::InpaintPipeline pipeline_;
  pipeline::InpaintOptions options_;
};

}  // namespace

std::vector<std::string> InpaintTask::default_models() const {
  std::vector<std::string> models = {"telea", "ns"};
  auto installed = models::list_installed_models();
  if (installed.is_ok())
    for (const models::InstalledModel& m : *installed)
      if (m.role == models::ModelRole::kInpainter) models.push_back(m.name);
  return models;
}

Result<std::unique_ptr<TaskRunner>> InpaintTask::load(const std::string& model,
                                                      const engine::DeviceSelection& device) const {
  TB_ASSIGN_OR_RETURN(pipeline::InpaintModel m, pipeline::load_inpaint_model(model, {}, nullptr));
  return std::unique_ptr<TaskRunner>(std::make_unique<InpaintRunner>(std::move(m), device));
}

std::vector<std::string> InpaintTask::cli_args(const std::string& model, const std::string& device,
                                               const std::string& precision, const std::string& input,
                                               const std::string& output) const {
  return {"inpaint", input,      "--mask",   "centre:" + std::to_string(kMaskPercent), "-o", output,
          "--model", model,      "--device", device,     "--precision", precision, "--strategy", "original"};
}

}  // namespace toonbox::bench
