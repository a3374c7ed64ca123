// Translation of Keras layers (as TF.js layers models store them) into IR nodes. Every
// layer output is an NHWC tensor; its channel count is tracked (when known) so a kernel,
// an Add or a PixelShuffle that does not fit its input is refused at import, naming the
// layer, instead of failing later in shape inference.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/graph.h"
#include "import/tfjs_layers/tfjs_layers_model.h"

namespace toonbox::tfjs {

struct LayerValue {
  int value = -1;
  int64_t channels = -1;  // the last dim; -1 when unknown
};

// The layer classes the translator knows (PixelShuffle<N>x stands for every N), sorted.
const std::vector<std::string>& supported_layer_classes();
bool is_supported_layer_class(const std::string& class_name);

// Builds the IR graph one layer at a time; layers must come in dependency order.
class LayersGraphBuilder {
 public:
  explicit LayersGraphBuilder(std::map<std::string, Tensor> weights)
      : weights_(std::move(weights)) {}

  Status translate(const KerasLayer& layer);
  // The value a layer reference reads (the layer must have been translated).
  Result<LayerValue> output_of(const LayerRef& ref, const std::string& reader) const;
  // TF.js refuses weights no layer takes (strict loading); so does the importer.
  Status check_all_weights_used() const;
  graph::Graph take_graph() { return std::move(graph_); }

  // Used by the per-class translators.
  graph::Graph& graph() { return graph_; }
  Result<std::vector<LayerValue>> inputs(const KerasLayer& layer, size_t min, size_t max) const;
  // Weight "<layer>/<suffix>", which must be float32 of shape `expected`; marked used.
  Result<const Tensor*> weight(const KerasLayer& layer, const std::string& suffix,
                               const Shape& expected);

 private:
  std::map<std::string, Tensor> weights_;
  std::set<std::string> used_;
  std::map<std::string, LayerValue> outputs_;
  graph::Graph graph_;
};

}  // namespace toonbox::tfjs
