#include "bench/upscale_task.h"

#include <algorithm>

#include "models/model_resolver.h"
#include "pipeline/upscale/upscaler.h"

namespace toonbox::bench {

namespace {

constexpr double kFloorFp16UpscaleDb = 40.0;

class UpscaleRunner : public TaskRunner {
 public:
  explicit UpscaleRunner(std::unique_ptr<pipeline::Upscaler> upscaler)
      : upscaler_(std::move(upscaler)) {}

  Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                        CallReport* report) override {
    std::vector<image::Image> out;
    pipeline::UpscaleOptions options;
    options.tile_size = -1;
    for (const image::Image* image : images) {
      pipeline::UpscaleReport r;
      TB_ASSIGN_OR_RETURN(image::Image up, upscaler_->upscale(*image, options, &r));
      out.push_back(std::move(up));
      if (report) {
        report->run.compiled = report->run.compiled || r.compile_ms > 0;
        report->run.compile_ms += r.compile_ms;
        report->run.timings.compute_ms += r.compute_ms;
        report->run.timings.upload_ms += r.upload_ms;
        report->run.timings.download_ms += r.download_ms;
        report->run.arena_bytes = std::max(report->run.arena_bytes, r.arena_bytes);
        report->notes.insert(report->notes.end(), r.notes.begin(), r.notes.end());
      }
    }
    if (report) report->batch_ran = 1;
    return out;
  }

  std::string description() const override {
    return upscaler_->name() + " (x" + std::to_string(upscaler_->scale()) + ", " +
           models::describe_contract(upscaler_->contract()) + ")";
  }

 private:
  std::unique_ptr<pipeline::Upscaler> upscaler_;
};

}  // namespace

std::vector<std::string> UpscaleTask::default_models() const {
  std::vector<std::string> models;
  for (const models::KnownModel& m : models::known_models())
    if (m.contract.scale > 1 && models::resolve_installed_model(m.name).is_ok())
      models.push_back(m.name);
  return models;
}

Result<std::unique_ptr<TaskRunner>> UpscaleTask::load(const std::string& model,
                                                      const engine::DeviceSelection& device) const {
  TB_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::Upscaler> up,
                      pipeline::load_upscaler(model, 0, "", device));
  return std::unique_ptr<TaskRunner>(std::make_unique<UpscaleRunner>(std::move(up)));
}

std::vector<std::string> UpscaleTask::cli_args(const std::string& model, const std::string& device,
                                               const std::string& precision, const std::string& input,
                                               const std::string& output) const {
  return {"upscale", "--model", model, input, "-o", output, "--device", device, "--precision", precision, "--tile", "-1"};
}

double UpscaleTask::agreement_floor_db(const std::string& model, Precision precision) const {
  return precision == Precision::kFloat32 ? BenchTask::agreement_floor_db(model, precision) : kFloorFp16UpscaleDb;
}

}  // namespace toonbox::bench
