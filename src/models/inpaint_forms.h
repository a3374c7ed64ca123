// The ONNX forms inpainting networks come in and what each expects: input names and
// channels, layout, value ranges, the mask convention, the size rule and where the
// output stands. Facts from the exporters' and authors' code, for the inpaint task to
// read (its adapter feeds any form listed here), so no pipeline guesses them:
//
//   lama-image-mask   Carve/LaMa-ONNX lama_fp32.onnx (opset 17, fixed 512x512): inputs
//                     "image" [B,3,H,W] RGB 0..1 and "mask" [B,1,H,W] 1 = fill; the graph
//                     builds img * (1 - mask) || mask itself; output [B,3,H,W] 0..255
//   lama-4ch          a bare big-lama generator export (DFT nodes, dynamic H and W):
//                     one input [1,4,H,W] = img * (1 - mask) || mask, RGB 0..1, sides a
//                     multiple of 8; output RGB 0..1 (sigmoid)
//   migan-generator   MI-GAN's generator (Picsart-AI-Research/MI-GAN
//                     lib/model_zoo/migan_inference.py) at its fixed resolution (256 or
//                     512): one input [1,4,R,R] = (known - 0.5) || img * known with img in
//                     [-1,1] and known = 1 - hole; output RGB [-1,1]
//   migan-pipeline    MI-GAN's official ONNX pipeline (scripts/create_onnx_pipeline.py):
//                     uint8 "image" [1,3,H,W] and "mask" [1,1,H,W] with 255 = known; it
//                     crops around the hole with data-dependent shapes (NonZero-style
//                     indexing), which a compile-once engine cannot run: refused, named
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "models/model_contract.h"

namespace toonbox::models {

struct InpaintForm {
  const char* id;
  const char* description;
  // Separate inputs (image_input and mask_input) or one combined 4-channel input.
  const char* image_input;      // "" when combined
  const char* mask_input;       // "" when combined
  const char* combined_input;   // "" when separate
  const char* combined_layout;  // the combined input's channels, e.g. "img*(1-mask) || mask"
  ValueRange image_range;       // what RGB 0..255 maps to
  MaskConvention mask;
  ValueRange output_range;
  int size_multiple;    // H and W padded to a multiple of this
  int fixed_size;       // 0: any size; else the only H = W the graph takes
  const char* refusal;  // non-empty: toonbox cannot run this form, and why
  const char* source;   // where the facts come from
};

const std::vector<InpaintForm>& inpaint_forms();
const InpaintForm* find_inpaint_form(const std::string& id);

// The form an imported graph has, from its inputs (names and channels) and the op that
// makes its output (LaMa ends in a Sigmoid, MI-GAN's generator in a 1x1 convolution
// sum); an error says what was found when none fits. (The MI-GAN pipeline never gets
// here: its uint8 inputs and data-dependent ops are refused by the importer, by name.)
Result<const InpaintForm*> identify_inpaint_form(const graph::Graph& graph);

}  // namespace toonbox::models
