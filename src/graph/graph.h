// The IR: a DAG of nodes over typed values, nodes kept in topological order.
// A Graph straight from an importer may have unknown dims (-1) and shape ops; one
// passed through specialize() has only concrete shapes and compute ops, and is what
// backends compile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/op.h"

namespace toonbox::graph {

struct Value {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;                     // -1 for a dimension unknown until specialization
  std::optional<Tensor> constant;  // set for weights and folded values
  int producer = -1;               // node index, -1 for graph inputs and constants
};

struct Node {
  OpKind kind = OpKind::kIdentity;
  std::string name;  // from the model file, for error messages
  std::vector<int> inputs;
  std::vector<int> outputs;
  OpParams params;

  template <typename P>
  const P& p() const { return std::get<P>(params); }
  template <typename P>
  P& p() { return std::get<P>(params); }
};

class Graph {
 public:
  int add_input(const std::string& name, DType dtype, Shape shape);
  int add_constant(const std::string& name, Tensor value);
  // Appends a node whose inputs already exist; returns its first output's value id.
  int add_node(OpKind kind, const std::string& name, std::vector<int> inputs, OpParams params,
               int num_outputs = 1);
  void add_output(int value) { outputs_.push_back(value); }
  void set_outputs(std::vector<int> outputs) { outputs_ = std::move(outputs); }

  const std::vector<Value>& values() const { return values_; }
  std::vector<Value>& values() { return values_; }
  const Value& value(int id) const { return values_[id]; }
  Value& value(int id) { return values_[id]; }
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }

  bool is_constant(int value) const { return values_[value].constant.has_value(); }
  // Number of node inputs plus graph outputs that read each value.
  std::vector<int> use_counts() const;
  // Human-readable dump, one node a line (for --verbose and test failures).
  std::string to_string() const;

  // Rebuilds nodes/values keeping only what the outputs need (dead-code elimination).
  void prune();

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
};

}  // namespace toonbox::graph
