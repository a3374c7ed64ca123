#include "import/tfjs/tfjs_importer.h"

#include <filesystem>
#include <map>
#include <queue>
#include <set>
#include <system_error>
#include <unordered_map>

#include "import/tfjs/tfjs_model.h"
#include "import/tfjs/tfjs_ops.h"
#include "import/tfjs/tfjs_weights.h"

namespace toonbox::tfjs {

namespace {

using tfjs::TfInput;
using tfjs::TfjsModel;
using tfjs::TfNode;

std::unordered_map<std::string, int> index_nodes(const TfjsModel& model) {
  std::unordered_map<std::string, int> index;
  for (size_t i = 0; i < model.nodes.size(); ++i)
    index.emplace(model.nodes[i].name, static_cast<int>(i));
  return index;
}

// One error for every op the translator does not know, grouped by op, in file order.
Status check_ops_supported(const TfjsModel& model) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> nodes_by_op;
  for (const TfNode& n : model.nodes) {
    if (tfjs::is_supported_op(n.op)) continue;
    auto& names = nodes_by_op[n.op];
    if (names.empty()) order.push_back(n.op);
    names.push_back(n.name);
  }
  if (order.empty()) return Status::ok();
  constexpr size_t kNamesShown = 3;
  std::string msg = "unsupported TF.js ops: ";
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& names = nodes_by_op[order[i]];
    msg += (i ? ", " : "") + order[i] + (names.size() == 1 ? " (node " : " (nodes ");
    for (size_t k = 0; k < names.size() && k < kNamesShown; ++k)
      msg += (k ? ", '" : "'") + names[k] + "'";
    if (names.size() > kNamesShown)
      msg += " and " + std::to_string(names.size() - kNamesShown) + " more";
    msg += ")";
  }
  return unimplemented(msg);
}

Status check_references(const TfjsModel& model, const std::unordered_map<std::string, int>& index) {
  for (const TfNode& n : model.nodes) {
    for (const TfInput& in : n.inputs) {
      if (!index.count(in.node))
        return data_loss("node '" + n.name + "' (" + n.op + ") reads unknown node '" + in.node +
                         "'");
    }
    for (const std::string& c : n.control_inputs) {
      if (!index.count(c))
        return data_loss("node '" + n.name + "' (" + n.op +
                         ") has a control input on unknown node '" + c + "'");
    }
  }
  return Status::ok();
}

// Kahn's algorithm over data edges (control edges order nothing we compute), taking the
// lowest file index first so the order is deterministic and close to the file's.
Result<std::vector<int>> topological_order(const TfjsModel& model,
                                           const std::unordered_map<std::string, int>& index) {
  const size_t n = model.nodes.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> readers(n);
  for (size_t i = 0; i < n; ++i) {
    for (const TfInput& in : model.nodes[i].inputs) {
      const int src = index.at(in.node);
      readers[src].push_back(static_cast<int>(i));
      ++pending[i];
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(static_cast<int>(i));
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int r : readers[i])
      if (--pending[r] == 0) ready.push(r);
  }
  if (order.size() == n) return order;

  // Every node left waits on another node left: walk inputs until one repeats.
  int start = 0;
  while (pending[start] == 0) ++start;
  std::vector<int> path;
  std::vector<int> seen_at(n, -1);
  int cur = start;
  while (seen_at[cur] < 0) {
    seen_at[cur] = static_cast<int>(path.size());
    path.push_back(cur);
    for (const TfInput& in : model.nodes[cur].inputs) {
      const int src = index.at(in.node);
      if (pending[src] > 0) {
        cur = src;
        break;
      }
    }
  }
  // path[k] reads path[k + 1] and the last one reads `cur`: print in data-flow order.
  std::string cycle = "'" + model.nodes[cur].name + "'";
  for (size_t k = path.size(); k-- > static_cast<size_t>(seen_at[cur]);)
    cycle += " -> '" + model.nodes[path[k]].name + "'";
  return data_loss("the graph has a cycle: " + cycle);
}

// Node indices of the graph outputs: the caller's names, the signature, or every node
// no other node reads.
Result<std::vector<int>> select_outputs(const TfjsModel& model,
                                        const std::unordered_map<std::string, int>& index,
                                        const std::vector<std::string>& requested) {
  std::vector<int> outputs;
  const std::vector<std::string>& names = requested.empty() ? model.signature_outputs : requested;
  const char* source = requested.empty() ? "signature output" : "requested output";
  for (const std::string& name : names) {
    TfInput ref;
    std::string control;
    auto is_data = tfjs::parse_input_ref(name, &ref, &control);
    if (!is_data.is_ok() || !is_data.value())
      return invalid_argument(std::string(source) + " '" + name + "' is not a tensor name");
    auto it = index.find(ref.node);
    if (it == index.end())
      return invalid_argument(std::string(source) + " '" + name + "' is not a node of the graph");
    if (ref.index != 0)
      return invalid_argument(std::string(source) + " '" + name + "': node has one output");
    outputs.push_back(it->second);
  }
  if (!outputs.empty()) return outputs;

  std::vector<bool> read(model.nodes.size(), false);
  for (const TfNode& n : model.nodes)
    for (const TfInput& in : n.inputs) read[index.at(in.node)] = true;
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const std::string& op = model.nodes[i].op;
    if (!read[i] && op != "Const" && op != "Placeholder") outputs.push_back(static_cast<int>(i));
  }
  if (outputs.empty()) return data_loss("the graph has no output (every node is read by another)");
  return outputs;
}

std::string model_json_path(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec)
             ? (std::filesystem::path(path) / "model.json").string()
             : path;
}

Result<graph::Graph> import(const std::string& path, const TfjsImportOptions& options) {
  TB_ASSIGN_OR_RETURN(TfjsModel model, tfjs::read_model_json(path, options.max_model_json_bytes));
  TB_RETURN_IF_ERROR(check_ops_supported(model));
  const auto index = index_nodes(model);
  TB_RETURN_IF_ERROR(check_references(model, index));
  TB_ASSIGN_OR_RETURN(std::vector<int> order, topological_order(model, index));
  TB_ASSIGN_OR_RETURN(std::vector<int> outputs, select_outputs(model, index, options.outputs));
  TB_ASSIGN_OR_RETURN(auto weights, tfjs::load_weights(model, options.max_weight_bytes));

  tfjs::GraphBuilder builder(model, std::move(weights));
  for (int i : order) TB_RETURN_IF_ERROR(builder.translate(i));
  graph::Graph graph = builder.take_graph();
  std::vector<int> output_values;
  for (int i : outputs) output_values.push_back(builder.value_of(i));
  graph.set_outputs(std::move(output_values));
  graph.prune();  // drops HWIO filters replaced by OIHW copies and unused nodes
  return graph;
}

// Graph and layers models alike: only the manifest matters here.
Result<TfjsModelFiles> list_files(const std::string& path, const TfjsImportOptions& options) {
  TB_ASSIGN_OR_RETURN(tfjs::JsonDocument d,
                      tfjs::read_json_document(path, options.max_model_json_bytes));
  TB_RETURN_IF_ERROR(tfjs::model_json_kind(d.doc).status());
  Result<std::vector<tfjs::TfWeightGroup>> groups = data_loss("unparsed");
  try {
    groups = tfjs::parse_weights_manifest(d.doc);
  } catch (const tfjs::Json::exception& e) {
    return data_loss(std::string("unexpected JSON structure: ") + e.what());
  }
  TB_RETURN_IF_ERROR(groups.status());
  TfjsModelFiles files;
  files.model_json = model_json_path(path);
  files.all_files.push_back(files.model_json);
  for (const tfjs::TfWeightGroup& g : groups.value()) {
    for (const std::string& rel : g.paths) {
      TB_ASSIGN_OR_RETURN(std::filesystem::path p, tfjs::resolve_shard_path(d.dir, rel));
      files.shards.push_back(p.string());
      files.shard_relative.push_back(rel);
      files.all_files.push_back(p.string());
    }
  }
  return files;
}

}  // namespace

Result<TfjsModelFiles> list_tfjs_model_files(const std::string& path,
                                             const TfjsImportOptions& options) {
  Result<TfjsModelFiles> files = list_files(path, options);
  if (!files.is_ok()) return files.status().with_context(model_json_path(path));
  return files;
}

Result<graph::Graph> import_tfjs_model(const std::string& path, const TfjsImportOptions& options) {
  const std::string shown = model_json_path(path);
  Result<graph::Graph> graph = import(path, options);
  if (!graph.is_ok()) return graph.status().with_context(shown);
  return graph;
}

const std::vector<std::string>& tfjs_supported_ops() { return tfjs::supported_ops(); }

}  // namespace toonbox::tfjs
