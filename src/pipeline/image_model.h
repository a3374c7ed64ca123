// Any image-to-image model (`toonbox run`): the image becomes the model's input by its
// contract (models/model_contract.h: layout, channel order, value range, size multiple),
// is padded (edge), run and cropped, with the output scale (upscalers) taken from the
// padded shapes.
#pragma once

#include <string>
#include <vector>

#include "engine/session.h"
#include "image/image.h"
#include "models/model_contract.h"
#include "models/registry.h"

namespace toonbox::pipeline {

// A model file or installed name imported (`weights`: an ncnn model's .bin when not the
// default beside it), with the contract `toonbox run` uses for it (an undetectable output
// range defaults to [0,1], sides padded to multiples of 16 unless the registry or the
// manifest says otherwise). `how` says where each part of the contract came from.
struct ImageModel {
  graph::Graph graph;
  models::ImageContract contract;
  std::string how;
};
Result<ImageModel> load_image_model(const std::string& spec,
                                    const models::ContractOverrides& flags = {},
                                    const std::string& weights = "");

// Runs the model on an RGB image (alpha passed through when the size is kept).
Result<image::Image> run_image_model(engine::Session& session,
                                     const models::ImageContract& contract,
                                     const image::Image& input,
                                     engine::RunReport* report = nullptr);

// Images of one size (checked) as one [N,...] call; N > 1 needs a session made with
// SessionOptions::allow_batch (a model that mixes batch items fails to compile then).
Result<std::vector<image::Image>> run_image_model_batch(
    engine::Session& session, const models::ImageContract& contract,
    const std::vector<const image::Image*>& inputs, engine::RunReport* report = nullptr);

}  // namespace toonbox::pipeline
