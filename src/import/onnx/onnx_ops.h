// Translation of ONNX nodes into IR nodes. Ops that the IR can express with existing
// ops are lowered here (Gemm -> MatMul + Add, BatchNormalization -> Mul + Add,
// HardSwish -> x * HardSigmoid(x), Flatten/Squeeze/Unsqueeze -> Reshape, ...); shape
// computations become IR nodes that specialize() folds.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"
#include "onnx.pb.h"

namespace toonbox::onnx_import {

// Typed reads of a node's attributes; errors name the node and the attribute.
class Attrs {
 public:
  explicit Attrs(const onnx::NodeProto& node);
  bool has(const std::string& name) const { return by_name_.count(name) > 0; }
  Result<int64_t> i(const std::string& name, std::optional<int64_t> def = {}) const;
  Result<float> f(const std::string& name, std::optional<float> def = {}) const;
  Result<std::string> s(const std::string& name, std::optional<std::string> def = {}) const;
  Result<std::vector<int64_t>> ints(const std::string& name,
                                    std::optional<std::vector<int64_t>> def = {}) const;
  Result<std::vector<float>> floats(const std::string& name,
                                    std::optional<std::vector<float>> def = {}) const;
  const onnx::TensorProto* tensor(const std::string& name) const;
  Status error(const std::string& name, const std::string& what) const;

 private:
  Result<const onnx::AttributeProto*> get(const std::string& name, int type) const;
  const onnx::NodeProto& node_;
  std::map<std::string, const onnx::AttributeProto*> by_name_;
};

class OnnxBuilder {
 public:
  OnnxBuilder(int opset, std::filesystem::path model_dir, int64_t weight_budget)
      : opset_(opset), dir_(std::move(model_dir)), budget_(weight_budget) {}

  graph::Graph& graph() { return graph_; }
  int opset() const { return opset_; }
  void bind(const std::string& name, int value) { values_[name] = value; }
  Result<int> lookup(const std::string& name) const;

  // Data input `i` (must be present and non-empty).
  Result<int> input(const onnx::NodeProto& n, size_t i) const;
  bool has_input(const onnx::NodeProto& n, size_t i) const {
    return static_cast<int>(i) < n.input_size() && !n.input(i).empty();
  }
  // The constant behind input `i` at import time (initializer or Constant), or error.
  Result<const Tensor*> constant_input(const onnx::NodeProto& n, size_t i) const;
  Result<std::vector<int64_t>> constant_ints(const onnx::NodeProto& n, size_t i) const;
  Result<float> constant_scalar(const onnx::NodeProto& n, size_t i) const;
  Result<Tensor> decode(const onnx::TensorProto& t);

  // Adds a node named after the ONNX node (plus a suffix for lowered parts).
  int add(graph::OpKind kind, const onnx::NodeProto& n, const std::string& suffix,
          std::vector<int> inputs, graph::OpParams params);
  // Binds output 0 (and checks no other output is used).
  Status bind_output(const onnx::NodeProto& n, int value);
  int constant_i64(const std::vector<int64_t>& v, const std::string& name);
  int constant_i32(const std::vector<int32_t>& v, const std::string& name);
  int constant_f32(float v, const std::string& name);
  // Gather(Shape(x), [index]) as a 1-D int32 tensor of one element (folds later).
  int dim_of(const onnx::NodeProto& n, int x, int index, const std::string& suffix);

  static std::string node_name(const onnx::NodeProto& n);
  Status error(const onnx::NodeProto& n, const std::string& what) const;

 private:
  int opset_;
  std::filesystem::path dir_;
  int64_t budget_;
  std::unordered_map<std::string, int> values_;
  graph::Graph graph_;
  int counter_ = 0;
};

using Translator = Status (*)(OnnxBuilder&, const onnx::NodeProto&);

// All translators by ONNX op type (default domain).
const std::map<std::string, Translator>& translators();
// Translators of the NN ops (onnx_ops_nn.cc), merged into translators().
void add_nn_translators(std::map<std::string, Translator>& table);
// ArgMax/ArgMin, TopK (k = 1), ScatterElements, RandomNormalLike (onnx_ops_index.cc).
void add_index_translators(std::map<std::string, Translator>& table);
// What `models info` notes about sampling ops imported as their mean.
std::string deterministic_sampling_note(const std::string& op, int count);
// The signal ops (DFT; onnx_ops_signal.cc).
void add_signal_translators(std::map<std::string, Translator>& table);

}  // namespace toonbox::onnx_import
