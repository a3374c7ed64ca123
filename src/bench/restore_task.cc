#include "bench/restore_task.h"

#include <algorithm>

#include "models/registry.h"
#include "pipeline/restore/restore_pipeline.h"

namespace toonbox::bench {

namespace {

constexpr double kFloorMixedRestoreDb = 40.0;

class RestoreRunner : public TaskRunner {
 public:
  explicit RestoreRunner(pipeline::RestoreModels models) : pipeline_(std::move(models)) {}

  Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                        CallReport* report) override {
    std::vector<image::Image> out;
    double compile_ms = 0, restore_ms = 0, total_ms = 0;
    int most_crops = 0, faces = 0;
    for (const image::Image* image : images) {
      pipeline::RestoreReport r;
      TB_ASSIGN_OR_RETURN(image::Image restored, pipeline_.process(*image, options_, &r));
      compile_ms += r.compile_ms;
      restore_ms += r.restore_ms;
      total_ms += r.total_ms;
      faces += r.faces;
      most_crops = std::max(most_crops, r.batch);
      if (report) report->notes.insert(report->notes.end(), r.notes.begin(), r.notes.end());
      out.push_back(std::move(restored));
    }
    if (report) {
      report->run.compiled = compile_ms > 0;
      report->run.compile_ms = compile_ms;
      // The device part is the restorer's calls (crops up, the network, results down);
      // detection and the paste are host time around it, inside the call's wall time.
      report->run.timings.compute_ms = restore_ms - compile_ms;
      report->batch_ran = 1;  // one photo per call; its faces are batched inside (notes)
      report->notes.push_back(std::to_string(faces) + " face(s) restored, up to " +
                              std::to_string(most_crops) + " crops per device call, " +
                              std::to_string(static_cast<int>(total_ms + 0.5)) + " ms end to end");
    }
    return out;
  }

  std::string description() const override {
    const pipeline::FaceRestorer& r = *pipeline_.models().restorer;
    return r.name() + " (" + std::to_string(r.contract().size) + "² face crops, " +
           precision_name(r.precision()) + ")";
  }

 private:
  pipeline::RestorePipeline pipeline_;
  pipeline::RestoreOptions options_;
};

}  // namespace

std::vector<std::string> RestoreTask::default_models() const {
  std::vector<std::string> models;
  auto installed = models::list_installed_models();
  if (installed.is_ok())
    for (const models::InstalledModel& m : *installed)
      if (m.role == models::ModelRole::kFaceRestorer) models.push_back(m.name);
  return models;
}

Result<std::unique_ptr<TaskRunner>> RestoreTask::load(const std::string& model,
                                                      const engine::DeviceSelection& device) const {
  TB_ASSIGN_OR_RETURN(pipeline::RestoreModels m, pipeline::load_restore_models(model, {}, device));
  return std::unique_ptr<TaskRunner>(std::make_unique<RestoreRunner>(std::move(m)));
}

std::vector<std::string> RestoreTask::cli_args(const std::string& model, const std::string& device,
                                               const std::string& precision, const std::string& input,
                                               const std::string& output) const {
  return {"restore", input, "-o", output, "--model", model, "--device", device, "--precision", precision};
}

double RestoreTask::agreement_floor_db(const std::string& model, Precision precision) const {
  return precision == Precision::kFloat32 ? BenchTask::agreement_floor_db(model, precision) : kFloorMixedRestoreDb;
}

}  // namespace toonbox::bench
