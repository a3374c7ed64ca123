// Runs an inpainting network through the engine by its contract (models/model_contract.h:
// layout, channel order, value ranges, size multiple, and the mask convention), so any
// registered or imported inpainter works without a pipeline of its own:
//
//   - two inputs, an image [1,3,H,W] and a mask [1,1,H,W] (LaMa as Carve exported it,
//     MI-GAN's ONNX pipeline), told apart by their channel count, in the graph's order;
//   - one 4-channel input `image*(1-m) || m` (LaMa's generator as most dynamic exports
//     take it): holes zeroed in the image channels, the mask as the fourth;
//   - a fixed size (the graph's input says e.g. 512x512: the crop is resized to it and
//     the result resized back) or any size (padded, edge, to the size multiple).
//
// The mask tensor holds the contract's hole/known values (LaMa 1/0, MI-GAN 0/255). The
// output is read by the contract's output range; only the holes of the result are used
// (the caller pastes them, inpaint_pipeline.h).
#pragma once

#include "engine/session.h"
#include "graph/graph.h"
#include "image/image.h"
#include "models/model_contract.h"
#include "pipeline/inpaint/inpaint_mask.h"

namespace toonbox::pipeline {

struct InpaintInputs {
  bool concatenated = false;   // one [1,4,H,W] input
  int image_input = 0;         // index into graph.inputs()
  int mask_input = -1;         // -1 when concatenated
  int fixed_height = 0, fixed_width = 0;  // 0: any size
  std::string describe() const;  // "image + mask inputs, any size (padded to 8)"
};

// Reads the input form off the graph, checked against the contract's layout: exactly one
// 4-channel input, or one 3-channel and one 1-channel input; anything else is refused
// naming the inputs and their shapes.
Result<InpaintInputs> inpaint_inputs(const graph::Graph& graph,
                                     const models::ImageContract& contract);

// The network's picture for `image` with `mask`'s holes filled, at the image's size
// (every pixel is the network's; the caller keeps the known ones).
Result<image::Image> run_inpaint_network(engine::Session& session, const InpaintInputs& inputs,
                                         const models::ImageContract& contract,
                                         const image::Image& image, const InpaintMask& mask,
                                         engine::RunReport* report = nullptr);

}  // namespace toonbox::pipeline
