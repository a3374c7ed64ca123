#include "pipeline/image_model.h"

#include <cmath>
#include <new>

#include "pipeline/image_tensor.h"

namespace toonbox {

Result<Image> run_image_model(Session& session, const ImageContract& contract, const Image& img,
                              RunReport* report) {
  const Tensor x = image_to_tensor(img, contract);
  const bool nhwc = contract.layout == Layout::kNHWC;
  const int64_t ph = nhwc ? x.dim(1) : x.dim(2), pw = nhwc ? x.dim(2) : x.dim(3);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session.run({x}, report));
  if (outs.empty()) return invalid_argument("the model returned no output");
  TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(outs[0], 0, contract));
  // Output scale (1 for stylization, 2/4 for upscalers) from the padded sizes.
  const double sy = static_cast<double>(px.height()) / ph, sx = static_cast<double>(px.width()) / pw;
  const int width = static_cast<int>(std::lround(img.width * sx));
  const int height = static_cast<int>(std::lround(img.height * sy));
  if (width < 1 || height < 1 || width > px.width() || height > px.height())
    return invalid_argument("the model's output " + shape_to_string(outs[0].shape()) +
                            " is not an image of the input " + shape_to_string(x.shape()) + " scaled");
  Image result = output_to_image(px, 0, 0, width, height);
  if (img.has_alpha() && result.width == img.width && result.height == img.height) result.alpha = img.alpha;
  return result;
}

}  // namespace toonbox
