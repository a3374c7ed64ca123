// The ncnn layers the importer translates. Each has two parts, kept apart so the whole
// .param is validated and the .bin's layout known before any weight is read:
//   reads  the ModelBin::load calls its load_model makes, in order (from its params;
//          also where a layer's params are checked and unsupported features refused)
//   build  the IR nodes, given the arrays those reads returned
// Parameter ids and weight order follow each layer's load_param/load_model in ncnn's
// src/layer/<type>.cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "import/ncnn/ncnn_builder.h"
#include "import/ncnn/ncnn_weights.h"

namespace toonbox::ncnn {

using Weights = std::vector<WeightArray>;

struct LayerSpec {
  Result<std::vector<WeightRead>> (*reads)(const Layer&) = nullptr;  // nullptr: no weights
  Status (*build)(Builder&, const Layer&, Weights&) = nullptr;
};
using LayerTable = std::map<std::string, LayerSpec>;

// Every layer type the importer knows, by ncnn type name.
const LayerTable& layer_table();

// The parts of the table, one file each.
void add_conv_layers(LayerTable& t);         // Convolution, Deconvolution, InnerProduct
void add_tensor_layers(LayerTable& t);       // Input, Split, Crop, Padding, Interp, Pooling
void add_elementwise_layers(LayerTable& t);  // ReLU, Sigmoid, BinaryOp, Eltwise
void add_composite_layers(LayerTable& t);    // PReLU, PixelShuffle, InstanceNorm

// The per-channel constant [1, C, 1, 1] (a scalar [1] when C is 1) of an ncnn vector.
int channel_constant(Builder& b, const Layer& l, const std::string& suffix,
                     const std::vector<float>& values);

}  // namespace toonbox::ncnn
