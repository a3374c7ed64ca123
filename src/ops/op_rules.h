// The batch and integer rules the op table (op_defs.cc) points to; see OpDef for what
// each answers. Not a public interface: ask op_def(kind).
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::ops::rules {

// Batch rules ("" = the batch items stay apart).
std::string batch_per_item(const Graph& g, const Node& node);  // elementwise, conv, pool, ...
std::string batch_reduce(const Graph& g, const Node& node);
std::string batch_softmax(const Graph& g, const Node& node);
std::string batch_concat(const Graph& g, const Node& node);
std::string batch_gather(const Graph& g, const Node& node);
std::string batch_transpose(const Graph& g, const Node& node);
std::string batch_slice(const Graph& g, const Node& node);
std::string batch_pad(const Graph& g, const Node& node);
std::string batch_matmul(const Graph& g, const Node& node);
std::string batch_dft(const Graph& g, const Node& node);
std::string batch_unknown(const Graph& g, const Node& node);  // shape ops: never checked
std::string batch_arg_max(const Graph& g, const Node& node);           // index_ops.cc
std::string batch_scatter_elements(const Graph& g, const Node& node);  // index_ops.cc

// Integer rules ("" = float arithmetic on exact integers gives the integer result).
std::string integers_exact(const Node& node);    // data movement, Cast, Where
std::string integers_refused(const Node& node);  // "<Op> on integers"
std::string integers_binary(const Node& node);
std::string integers_unary(const Node& node);
std::string integers_reduce(const Node& node);

}  // namespace toonbox::ops::rules
