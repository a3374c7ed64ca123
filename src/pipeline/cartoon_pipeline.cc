#include "pipeline/cartoon_pipeline.h"

#include <chrono>

#include "image/resize.h"
#include "pipeline/finishing.h"
#include "pipeline/model_loader.h"

namespace toonbox {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Image finish(const Image& original, const Image& stylized, const CartoonOptions& options) {
  Image out = blend_with_original(original, stylized, options.strength);
  int w = 0, h = 0;
  output_size(out.width, out.height, options.long_side, &w, &h);
  if (w != out.width || h != out.height) out = resize_image(out, w, h);
  return out;
}
}  // namespace

Result<CartoonMode> parse_cartoon_mode(const std::string& s) {
  if (s == "auto") return CartoonMode::kAuto;
  if (s == "portrait") return CartoonMode::kPortrait;
  if (s == "whole") return CartoonMode::kWhole;
  return invalid_argument("mode '" + s + "': use auto, portrait or whole");
}

const char* cartoon_mode_name(CartoonMode mode) {
  switch (mode) {
    case CartoonMode::kAuto: return "auto";
    case CartoonMode::kPortrait: return "portrait";
    case CartoonMode::kWhole: return "whole";
  }
  return "?";
}

Result<CartoonModels> load_cartoon_models(const std::string& model_spec, const std::string& head_spec,
                                          CartoonMode mode, const DeviceSelection& device,
                                          std::string* note) {
  CartoonModels models;
  TB_ASSIGN_OR_RETURN(ModelSource background, load_model_source(model_spec, note));
  models.background = std::make_shared<Cartoonizer>(std::move(background), device);
  models.head = models.background;
  (void)head_spec;
  if (mode != CartoonMode::kWhole) {
    // Portrait mode is not built yet (issue #4): say so rather than pretend.
    models.detector_missing = "portrait mode is not implemented in this build";
    if (mode == CartoonMode::kPortrait) return unimplemented(models.detector_missing);
  }
  return models;
}

CartoonPipeline::CartoonPipeline(CartoonModels models) : models_(std::move(models)) {}

Result<Image> CartoonPipeline::process(const Image& input, const CartoonOptions& options,
                                       CartoonReport* report) {
  CartoonReport local;
  if (options.mode == CartoonMode::kPortrait) return unimplemented(models_.detector_missing);
  if (options.mode == CartoonMode::kAuto) local.notes.push_back(models_.detector_missing + ": whole-image mode");
  local.mode_used = CartoonMode::kWhole;
  TB_ASSIGN_OR_RETURN(Image stylized, models_.background->stylize(input, &local.background, options.stylize));
  auto t0 = std::chrono::steady_clock::now();
  Image out = finish(input, stylized, options);
  local.finish_ms = ms_since(t0);
  if (report) *report = std::move(local);
  return out;
}

Result<std::vector<Image>> CartoonPipeline::process_batch(const std::vector<const Image*>& inputs,
                                                          const CartoonOptions& options,
                                                          std::vector<CartoonReport>* reports) {
  std::vector<Image> outputs;
  if (reports) reports->clear();
  for (const Image* image : inputs) {
    CartoonReport report;
    TB_ASSIGN_OR_RETURN(Image out, process(*image, options, &report));
    outputs.push_back(std::move(out));
    if (reports) reports->push_back(std::move(report));
  }
  return outputs;
}

}  // namespace toonbox
