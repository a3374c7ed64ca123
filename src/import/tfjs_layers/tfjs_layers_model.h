// model.json of a TensorFlow.js LAYERS model (a Keras model saved by the TF.js converter
// or `model.save()`): the Keras model config (Functional or Sequential) with its layers,
// each layer's inbound connections, and the weights manifest. Parsed and checked for
// structure, not yet for meaning (tfjs_layers_ops.* maps the layers). Everything here
// comes from an untrusted file; every read checks type and range.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "import/tfjs/tfjs_model.h"

namespace toonbox::tfjs {

// Real models have hundreds of layers (esrgan-thick: 477) and at most tens of inputs
// per layer (a dense block's Concatenate: 10).
inline constexpr int64_t kMaxLayers = 100000;
inline constexpr int64_t kMaxLayerInputs = 4096;
inline constexpr size_t kMaxLayerNameLength = 1024;

// One inbound connection: output `tensor_index` of call `node_index` of layer `layer`.
struct LayerRef {
  std::string layer;
  int64_t node_index = 0;
  int64_t tensor_index = 0;
};

struct KerasLayer {
  std::string name;
  std::string class_name;
  Json config;                   // an object
  std::vector<LayerRef> inputs;  // of its one call (empty for an InputLayer)
};

struct LayersModel {
  std::filesystem::path json_path;
  std::filesystem::path dir;       // canonical folder holding model.json
  std::string model_class;         // "Functional", "Model" or "Sequential"
  std::string keras_version;       // modelTopology.keras_version when recorded (for `models info`)
  std::vector<KerasLayer> layers;  // file order; Sequential ones chained, InputLayer first
  std::vector<LayerRef> inputs, outputs;
  std::vector<TfWeightGroup> groups;
};

// Parses an already loaded document (split out for tests).
Result<LayersModel> parse_layers_model_json(const Json& doc);
// Reads `path` (model.json or its folder) within `max_bytes`. Errors do not yet name the
// file; the caller adds that context.
Result<LayersModel> read_layers_model_json(const std::string& path, int64_t max_bytes);

// Typed reads of a layer's config, with errors that name the layer, its class and the
// key and say what was found and what was expected.
class LayerConfig {
 public:
  explicit LayerConfig(const KerasLayer& layer) : layer_(layer) {}

  bool has(const std::string& key) const;  // present and not null
  Result<std::string> str(const std::string& key, std::optional<std::string> def = {}) const;
  Result<int64_t> integer(const std::string& key, int64_t lo, int64_t hi,
                          std::optional<int64_t> def = {}) const;
  Result<double> number(const std::string& key, std::optional<double> def = {}) const;
  Result<bool> boolean(const std::string& key, std::optional<bool> def = {}) const;
  // Keras writes kernel_size, strides, size, ... as a pair or (older files) one int.
  Result<std::pair<int64_t, int64_t>> pair(
      const std::string& key, int64_t lo, int64_t hi,
      std::optional<std::pair<int64_t, int64_t>> def = {}) const;
  // A shape like batch_input_shape: integers >= 0 or null (unknown, returned as -1).
  Result<Shape> shape(const std::string& key) const;

  Status error(const std::string& key, const std::string& what) const;
  Status unsupported(const std::string& what) const;

 private:
  const KerasLayer& layer_;
};

// "layer 'F_m1' (Conv2D)": how errors name a layer.
std::string layer_label(const KerasLayer& layer);

}  // namespace toonbox::tfjs
