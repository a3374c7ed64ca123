#include "pipeline/image_model.h"

#include <cmath>
#include <new>

#include "import/model_file.h"
#include "models/model_resolver.h"
#include "pipeline/image_tensor.h"

namespace toonbox::pipeline {

Result<ImageModel> load_image_model(const std::string& spec, const models::ContractOverrides& flags,
                                    const std::string& weights) {
  TB_ASSIGN_OR_RETURN(models::ResolvedModel model, models::resolve_model(spec, weights));
  ImageModel m;
  TB_ASSIGN_OR_RETURN(m.graph, import::import_model_file(model.file()));
  // `run` is for any image model: an undetectable range defaults to [0,1].
  models::ContractDefaults defaults;
  defaults.fallback_range = {0.f, 1.f};
  defaults.default_multiple = 16;
  TB_ASSIGN_OR_RETURN(m.contract, models::model_contract(model, m.graph, flags, defaults, &m.how));
  return m;
}

Result<image::Image> run_image_model(engine::Session& session,
                                     const models::ImageContract& contract, const image::Image& img,
                                     engine::RunReport* report) {
  TB_ASSIGN_OR_RETURN(std::vector<image::Image> out,
                      run_image_model_batch(session, contract, {&img}, report));
  return std::move(out[0]);
}

Result<std::vector<image::Image>> run_image_model_batch(
    engine::Session& session, const models::ImageContract& contract,
    const std::vector<const image::Image*>& inputs, engine::RunReport* report) {
  if (inputs.empty()) return invalid_argument("no images to run");
  const image::Image& first = *inputs[0];
  for (const image::Image* image : inputs)
    if (image->width != first.width || image->height != first.height)
      return invalid_argument("run_image_model_batch: images of different sizes");
  const int64_t n = static_cast<int64_t>(inputs.size());
  const int64_t ph = padded_extent(first.height, contract.size_multiple, 0);
  const int64_t pw = padded_extent(first.width, contract.size_multiple, 0);
  Tensor x = make_image_tensor(contract, n, ph, pw);
  for (int64_t i = 0; i < n; ++i) fill_image_tensor(*inputs[i], contract, 0, i, &x);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session.run({x}, report));
  if (outs.empty()) return invalid_argument("the model returned no output");
  std::vector<image::Image> results;
  for (int64_t i = 0; i < n; ++i) {
    TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(outs[0], i, contract));
    // Output scale (1 for stylization, 2/4 for upscalers) from the padded sizes.
    const double sy = static_cast<double>(px.height()) / ph,
                 sx = static_cast<double>(px.width()) / pw;
    const int width = static_cast<int>(std::lround(first.width * sx));
    const int height = static_cast<int>(std::lround(first.height * sy));
    if (width < 1 || height < 1 || width > px.width() || height > px.height())
      return invalid_argument("the model's output " + shape_to_string(outs[0].shape()) +
                              " is not an image of the input " + shape_to_string(x.shape()) +
                              " scaled");
    image::Image result = output_to_image(px, 0, 0, width, height);
    const image::Image& in = *inputs[i];
    if (in.has_alpha() && result.width == in.width && result.height == in.height)
      result.alpha = in.alpha;
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace toonbox::pipeline
