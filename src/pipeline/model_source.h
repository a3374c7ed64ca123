// A model ready to run: its graph, its pixel contract and what the pipeline needs to run
// it well (margin, tile overlap). Made by pipeline/model_loader.h from a name or a path.
#pragma once

#include <string>

#include "graph/graph.h"
#include "models/model_contract.h"

namespace toonbox::pipeline {

struct ModelSource {
  std::string name;         // "whitebox", "classic" (built-in) or a path
  std::string description;  // for the device/model line users see
  bool builtin = false;
  graph::Graph graph;
  // How pixels become the model's input and its output pixels again (the registry's for a
  // known model), and where that came from, for `models info` and notes.
  models::ImageContract contract;
  std::string contract_how;
  // Pixels of edge-replicated margin added on every side and cropped off afterwards, so
  // filters that see the border (zero padding) leave no frame. 0 keeps a model's own
  // border behaviour, which is what its reference implementation does.
  int margin = 0;
  // Pixels neighbouring tiles share when a large image is cut (pipeline/tiling.h): the
  // blend band is half of it, and every blended pixel keeps at least a quarter of it of
  // real context towards the cut. 64 suits the White-box/AnimeGAN generators: their
  // 3x3 convolutions at 1/4 resolution give a receptive field of ~100 px, but the weight
  // beyond ~16 px is small (measured: tiled vs whole >= 40 dB PSNR, tests/models).
  int tile_overlap = 64;
};

}  // namespace toonbox::pipeline
