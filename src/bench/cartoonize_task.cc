#include "bench/cartoonize_task.h"

#include "models/model_resolver.h"
#include "pipeline/builtin_style.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/processing_size.h"

namespace toonbox::bench {

namespace {

pipeline::CartoonOptions bench_options() {
  pipeline::CartoonOptions o;
  o.mode = pipeline::CartoonMode::kWhole;
  o.resolution = pipeline::kFullResolution;
  o.stylize.tile_size = -1;  // one whole-image inference; an out-of-memory error says so
  return o;
}

class CartoonRunner : public TaskRunner {
 public:
  explicit CartoonRunner(pipeline::CartoonModels models) : pipeline_(std::move(models)) {}

  Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                        CallReport* report) override {
    std::vector<pipeline::CartoonReport> reports;
    TB_ASSIGN_OR_RETURN(std::vector<image::Image> out,
                        pipeline_.process_batch(images, bench_options(), &reports));
    if (report && !reports.empty()) {
      report->run = reports[0].background.run;
      report->batch_ran = reports[0].background.batch;
      report->notes = reports[0].all_notes();
    }
    return out;
  }

  std::string description() const override {
    const pipeline::ModelSource& m = pipeline_.models().background->model();
    return m.name + " (" + m.description + ")";
  }

 private:
  pipeline::CartoonPipeline pipeline_;
};

}  // namespace

std::vector<std::string> CartoonizeTask::default_models() const {
  std::vector<std::string> models;
  for (const char* name : {"whitebox", "animeganv3-cute"})
    if (models::resolve_installed_model(name).is_ok()) models.push_back(name);
  models.push_back(models::kBuiltinStyleName);
  return models;
}

Result<std::unique_ptr<TaskRunner>> CartoonizeTask::load(
    const std::string& model, const engine::DeviceSelection& device) const {
  std::string note;
  TB_ASSIGN_OR_RETURN(
      pipeline::CartoonModels models,
      pipeline::load_cartoon_models(model, "", pipeline::CartoonMode::kWhole, device, &note));
  return std::unique_ptr<TaskRunner>(std::make_unique<CartoonRunner>(std::move(models)));
}

std::vector<std::string> CartoonizeTask::cli_args(const std::string& model,
                                                  const std::string& device,
                                                  const std::string& precision,
                                                  const std::string& input,
                                                  const std::string& output) const {
  return {"cartoonize",  input,     "-o",     output,  "--model",      model,  "--device", device,
          "--precision", precision, "--mode", "whole", "--resolution", "full", "--tile",   "-1"};
}

}  // namespace toonbox::bench
