#include "bench/image_model_task.h"

#include "models/model_resolver.h"
#include "pipeline/image_model.h"

namespace toonbox::bench {

namespace {

class ImageModelRunner : public TaskRunner {
 public:
  ImageModelRunner(std::string name, pipeline::ImageModel model,
                   const engine::DeviceSelection& device)
      : name_(std::move(name)),
        contract_(model.contract),
        how_(model.how),
        session_(std::move(model.graph), device.backend, device.precision,
                 engine::SessionOptions{/*allow_batch=*/true}) {}

  Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                        CallReport* report) override {
    engine::RunReport run;
    TB_ASSIGN_OR_RETURN(std::vector<image::Image> out,
                        pipeline::run_image_model_batch(session_, contract_, images, &run));
    if (report) {
      report->run = run;
      report->batch_ran = static_cast<int>(images.size());
    }
    return out;
  }

  std::string description() const override { return name_ + " (" + how_ + ")"; }

 private:
  std::string name_;
  models::ImageContract contract_;
  std::string how_;
  engine::Session session_;
};

}  // namespace

std::vector<std::string> ImageModelTask::default_models() const {
  std::vector<std::string> models;
  for (const char* name : {"whitebox", "animeganv3-cute"})
    if (models::resolve_installed_model(name).is_ok()) models.push_back(name);
  return models;
}

Result<std::unique_ptr<TaskRunner>> ImageModelTask::load(
    const std::string& model, const engine::DeviceSelection& device) const {
  TB_ASSIGN_OR_RETURN(pipeline::ImageModel m, pipeline::load_image_model(model));
  return std::unique_ptr<TaskRunner>(
      std::make_unique<ImageModelRunner>(model, std::move(m), device));
}

std::vector<std::string> ImageModelTask::cli_args(const std::string& model,
                                                  const std::string& device,
                                                  const std::string& precision,
                                                  const std::string& input,
                                                  const std::string& output) const {
  return {"run",  "--model",  model,  input,         "-o",
          output, "--device", device, "--precision", precision};
}

}  // namespace toonbox::bench
