// The batch and integer rules the op table (op_defs.cc) points to; see OpDef for what
// each answers. Not a public interface: ask op_def(kind).
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::ops::rules {

// Batch rules ("" = the batch items stay apart).
std::string batch_per_item(const graph::Graph& g,
                           const graph::Node& node);  // elementwise, conv, pool, ...
std::string batch_reduce(const graph::Graph& g, const graph::Node& node);
std::string batch_softmax(const graph::Graph& g, const graph::Node& node);
std::string batch_concat(const graph::Graph& g, const graph::Node& node);
std::string batch_gather(const graph::Graph& g, const graph::Node& node);
std::string batch_transpose(const graph::Graph& g, const graph::Node& node);
std::string batch_slice(const graph::Graph& g, const graph::Node& node);
std::string batch_pad(const graph::Graph& g, const graph::Node& node);
std::string batch_matmul(const graph::Graph& g, const graph::Node& node);
std::string batch_dft(const graph::Graph& g, const graph::Node& node);
std::string batch_unknown(const graph::Graph& g,
                          const graph::Node& node);  // shape ops: never checked
std::string batch_arg_max(const graph::Graph& g, const graph::Node& node);           // index_ops.cc
std::string batch_scatter_elements(const graph::Graph& g, const graph::Node& node);  // index_ops.cc

// Integer rules ("" = float arithmetic on exact integers gives the integer result).
std::string integers_exact(const graph::Node& node);    // data movement, Cast, Where
std::string integers_refused(const graph::Node& node);  // "<Op> on integers"
std::string integers_binary(const graph::Node& node);
std::string integers_unary(const graph::Node& node);
std::string integers_reduce(const graph::Node& node);

}  // namespace toonbox::ops::rules
