// Any image-to-image model (`toonbox run`): the image becomes the model's input by its
// contract (models/model_contract.h: layout, channel order, value range, size multiple),
// is padded (edge), run and cropped, with the output scale (upscalers) taken from the
// padded shapes.
#pragma once

#include "engine/session.h"
#include "image/image.h"
#include "models/model_contract.h"

namespace toonbox {

// Runs the model on an RGB image (alpha passed through when the size is kept).
Result<Image> run_image_model(Session& session, const ImageContract& contract, const Image& input,
                              RunReport* report = nullptr);

}  // namespace toonbox
