// Translation of TF.js graph nodes (TensorFlow ops) into IR nodes.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/graph.h"
#include "import/tfjs/tfjs_model.h"

namespace toonbox::tfjs {

// TF op names the translator knows, sorted.
const std::vector<std::string>& supported_ops();
bool is_supported_op(const std::string& op);

// TF filters are HWIO ([kh, kw, in, out]); the IR wants OIHW. `f` is 4-D float32.
Result<Tensor> hwio_to_oihw(const Tensor& f);

// Builds the IR graph one TF node at a time. Nodes must be translated in topological
// order; each maps to exactly one IR value (all supported ops have one output).
class GraphBuilder {
 public:
  GraphBuilder(const TfjsModel& model, std::map<std::string, Tensor> weights);

  Status translate(int node_index);
  // IR value of a translated node; -1 when not translated.
  int value_of(int node_index) const { return values_[node_index]; }
  int node_index(const std::string& name) const;
  graph::Graph take_graph() { return std::move(graph_); }

  // Used by the per-op translators.
  graph::Graph& graph() { return graph_; }
  const TfjsModel& model() const { return model_; }
  // IR value of data input `i` of `node`, checking the count and the output index.
  Result<int> input(const TfNode& node, size_t i);
  // The constant behind data input `i` (through Identity nodes), or nullptr.
  Result<const Tensor*> constant_input(const TfNode& node, size_t i);
  const Tensor* weight(const std::string& name) const;

 private:
  const TfjsModel& model_;
  std::map<std::string, Tensor> weights_;
  std::unordered_map<std::string, int> index_;
  std::vector<int> values_;
  graph::Graph graph_;
};

}  // namespace toonbox::tfjs
