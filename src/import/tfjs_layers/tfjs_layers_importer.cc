#include "import/tfjs_layers/tfjs_layers_importer.h"

#include <filesystem>
#include <queue>
#include <system_error>
#include <unordered_map>

#include "import/tfjs/tfjs_weights.h"
#include "import/tfjs_layers/tfjs_layers_model.h"
#include "import/tfjs_layers/tfjs_layers_ops.h"

namespace toonbox::tfjs {

namespace {

using tfjs::KerasLayer;
using tfjs::LayerRef;
using tfjs::LayersModel;

std::string model_json_path(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec)
             ? (std::filesystem::path(path) / "model.json").string()
             : path;
}

// One error for every layer class the translator does not know, grouped by class, in
// file order, before any weight is read.
Status check_classes_supported(const LayersModel& model) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> layers_by_class;
  for (const KerasLayer& l : model.layers) {
    if (tfjs::is_supported_layer_class(l.class_name)) continue;
    auto& names = layers_by_class[l.class_name];
    if (names.empty()) order.push_back(l.class_name);
    names.push_back(l.name);
  }
  if (order.empty()) return Status::ok();
  constexpr size_t kNamesShown = 3;
  std::string msg = "unsupported TF.js layers: ";
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& names = layers_by_class[order[i]];
    msg +=
        (i ? ", " : "") + order[i].substr(0, 64) + (names.size() == 1 ? " (layer " : " (layers ");
    for (size_t k = 0; k < names.size() && k < kNamesShown; ++k)
      msg += (k ? ", '" : "'") + names[k] + "'";
    if (names.size() > kNamesShown)
      msg += " and " + std::to_string(names.size() - kNamesShown) + " more";
    msg += ")";
  }
  std::string supported;
  for (const std::string& c : tfjs::supported_layer_classes())
    supported += (supported.empty() ? "" : ", ") + c;
  return unimplemented(msg + " (supported: " + supported + ")");
}

// The input layers first (so graph inputs keep input_layers' order), then every other
// layer once all it reads is done, lowest file index first.
Result<std::vector<int>> layer_order(const LayersModel& model) {
  const size_t n = model.layers.size();
  std::unordered_map<std::string, int> index;
  for (size_t i = 0; i < n; ++i) index.emplace(model.layers[i].name, static_cast<int>(i));
  std::vector<int> order, pending(n, 0);
  std::vector<std::vector<int>> readers(n);
  std::vector<bool> done(n, false);
  for (const LayerRef& r : model.inputs) {
    const int i = index.at(r.layer);
    if (model.layers[i].class_name != "InputLayer")
      return data_loss("input_layers names " + tfjs::layer_label(model.layers[i]) +
                       ", expected an InputLayer");
    if (!done[i]) order.push_back(i);
    done[i] = true;
  }
  for (size_t i = 0; i < n; ++i) {
    const KerasLayer& l = model.layers[i];
    if (l.class_name == "InputLayer" && !done[i])
      return data_loss(tfjs::layer_label(l) + " is not among the model's input_layers");
    for (const LayerRef& r : l.inputs) {
      auto it = index.find(r.layer);
      if (it == index.end())
        return data_loss(tfjs::layer_label(l) + " reads unknown layer '" + r.layer + "'");
      readers[it->second].push_back(static_cast<int>(i));
      ++pending[i];
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  auto finish = [&](int i) {
    for (int r : readers[i])
      if (--pending[r] == 0 && !done[r]) ready.push(r);
  };
  for (int i : std::vector<int>(order)) finish(i);
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0 && !done[i] && model.layers[i].inputs.empty())
      return data_loss(tfjs::layer_label(model.layers[i]) +
                       " has no inputs and is not an InputLayer");
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    done[i] = true;
    order.push_back(i);
    finish(i);
  }
  if (order.size() == n) return order;
  std::string stuck;
  int shown = 0;
  for (size_t i = 0; i < n && shown < 5; ++i) {
    if (done[i]) continue;
    stuck += (shown++ ? ", '" : "'") + model.layers[i].name + "'";
  }
  return data_loss("the layers form a cycle: " + std::to_string(n - order.size()) +
                   " layer(s) wait on each other (" + stuck +
                   (n - order.size() > 5 ? ", ..." : "") + ")");
}

Result<graph::Graph> import(const std::string& path, const TfjsLayersImportOptions& options) {
  TB_ASSIGN_OR_RETURN(LayersModel model,
                      tfjs::read_layers_model_json(path, options.max_model_json_bytes));
  TB_RETURN_IF_ERROR(check_classes_supported(model));
  TB_ASSIGN_OR_RETURN(std::vector<int> order, layer_order(model));
  TB_ASSIGN_OR_RETURN(auto weights,
                      tfjs::load_weights(model.dir, model.groups, options.max_weight_bytes));
  tfjs::LayersGraphBuilder builder(std::move(weights));
  for (int i : order) TB_RETURN_IF_ERROR(builder.translate(model.layers[i]));
  TB_RETURN_IF_ERROR(builder.check_all_weights_used());
  std::vector<int> outputs;
  for (const LayerRef& r : model.outputs) {
    TB_ASSIGN_OR_RETURN(tfjs::LayerValue v, builder.output_of(r, "output_layers"));
    outputs.push_back(v.value);
  }
  graph::Graph graph = builder.take_graph();
  graph.set_outputs(std::move(outputs));
  graph.prune();
  return graph;
}

}  // namespace

Result<graph::Graph> import_tfjs_layers_model(const std::string& path,
                                              const TfjsLayersImportOptions& options) {
  Result<graph::Graph> graph = import(path, options);
  if (!graph.is_ok()) return graph.status().with_context(model_json_path(path));
  return graph;
}

Result<TfjsLayersModelInfo> read_tfjs_layers_model_info(const std::string& path) {
  auto model = tfjs::read_layers_model_json(path, TfjsLayersImportOptions{}.max_model_json_bytes);
  if (!model.is_ok()) return model.status().with_context(model_json_path(path));
  TfjsLayersModelInfo info;
  info.model_class = model->model_class;
  info.keras_version = model->keras_version;
  for (const LayerRef& r : model->inputs) info.inputs.push_back(r.layer);
  for (const LayerRef& r : model->outputs) info.outputs.push_back(r.layer);
  for (const KerasLayer& l : model->layers) {
    if (++info.class_counts[l.class_name] == 1 && !tfjs::is_supported_layer_class(l.class_name))
      info.unsupported.push_back(l.class_name);
  }
  return info;
}

bool is_tfjs_layers_model(const std::string& path) {
  auto doc = tfjs::read_json_document(path, TfjsLayersImportOptions{}.max_model_json_bytes);
  if (!doc.is_ok()) return false;
  auto kind = tfjs::model_json_kind(doc->doc);
  return kind.is_ok() && kind.value() == "layers-model";
}

const std::vector<std::string>& tfjs_supported_layer_classes() {
  return tfjs::supported_layer_classes();
}

}  // namespace toonbox::tfjs
