// TensorFlow.js LAYERS-model importer (a Keras model as TF.js stores it: model.json with
// modelTopology.model_config, and weight shards) -> IR graph.
//
// Layers: InputLayer, Conv2D (same/valid, strides, dilation, groups, bias, activation),
// Activation, LeakyReLU, Add, Concatenate (channels), UpSampling2D (nearest, bilinear)
// and UpscalerJS's custom MultiplyBeta and PixelShuffle<N>x. The result is NHWC and
// unspecialized (height and width stay -1). Every layer class the importer does not know
// is listed, with its layers, in one error before any weight is read. Weights go through
// the graph importer's manifest reader (float32, float16 and uint8/uint16 quantization,
// shard paths kept inside the model folder, sizes checked).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::tfjs {

struct TfjsLayersImportOptions {
  int64_t max_model_json_bytes = int64_t{64} << 20;
  int64_t max_weight_bytes = int64_t{4} << 30;
};

// `path` is model.json or the folder holding it.
Result<graph::Graph> import_tfjs_layers_model(const std::string& path,
                                              const TfjsLayersImportOptions& options = {});

// What `models info` shows of a layers model, read from model.json alone.
struct TfjsLayersModelInfo {
  std::string model_class;                   // Functional, Sequential
  std::string keras_version;                 // modelTopology.keras_version, if recorded
  std::vector<std::string> inputs, outputs;  // layer names
  std::map<std::string, int> class_counts;
  std::vector<std::string> unsupported;  // classes the importer does not know
};
Result<TfjsLayersModelInfo> read_tfjs_layers_model_info(const std::string& path);

// True when `path` (model.json or its folder) is a TF.js layers model; false for a graph
// model and for anything that cannot be read (the importer then says why).
bool is_tfjs_layers_model(const std::string& path);

// The layer classes the importer translates, sorted.
const std::vector<std::string>& tfjs_supported_layer_classes();

}  // namespace toonbox::tfjs
