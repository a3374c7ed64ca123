#include "import/tfjs_layers/tfjs_layers_model.h"

#include <cmath>
#include <set>

namespace toonbox::tfjs {

namespace {

// A short, printable rendering of an untrusted value for "got [..]" messages.
std::string shown(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

Result<std::string> name_field(const Json& j, const char* key, const std::string& what) {
  if (!j.contains(key)) return data_loss(what + ": missing '" + key + "'");
  const Json& v = j[key];
  if (!v.is_string())
    return data_loss(what + ": '" + key + "' must be a string, got " + json_kind(v));
  std::string s = v.get<std::string>();
  if (s.empty()) return data_loss(what + ": empty '" + key + "'");
  if (s.size() > kMaxLayerNameLength)
    return data_loss(what + ": '" + key + "' is " + std::to_string(s.size()) +
                     " characters long, expected at most " + std::to_string(kMaxLayerNameLength));
  return s;
}

// [layer_name, node_index, tensor_index(, kwargs)], as inbound_nodes and
// input_layers/output_layers write it.
Result<LayerRef> parse_ref(const Json& j, const std::string& what) {
  if (!j.is_array() || j.size() < 3 || j.size() > 4 || !j[0].is_string() ||
      !j[1].is_number_integer() || !j[2].is_number_integer()) {
    return data_loss(what + ": got " + shown(j) + ", expected [layer, node_index, tensor_index]");
  }
  LayerRef r;
  r.layer = j[0].get<std::string>();
  r.node_index = j[1].get<int64_t>();
  r.tensor_index = j[2].get<int64_t>();
  if (r.layer.empty() || r.layer.size() > kMaxLayerNameLength)
    return data_loss(what + ": bad layer name " + shown(j[0]));
  if (r.node_index < 0 || r.tensor_index < 0)
    return data_loss(what + ": got " + shown(j) + ", expected indices >= 0");
  if (j.size() == 4 && !(j[3].is_object() && j[3].empty()))
    return unimplemented(what + ": call arguments " + shown(j[3]) + " are not supported");
  return r;
}

Result<std::vector<LayerRef>> parse_ref_list(const Json& j, const std::string& what) {
  if (!j.is_array()) return data_loss(what + ": expected an array, got " + json_kind(j));
  if (static_cast<int64_t>(j.size()) > kMaxLayerInputs)
    return data_loss(what + ": got " + std::to_string(j.size()) + " entries, expected at most " +
                     std::to_string(kMaxLayerInputs));
  std::vector<LayerRef> refs;
  for (size_t i = 0; i < j.size(); ++i) {
    TB_ASSIGN_OR_RETURN(LayerRef r, parse_ref(j[i], what + "[" + std::to_string(i) + "]"));
    refs.push_back(std::move(r));
  }
  return refs;
}

Result<KerasLayer> parse_layer(const Json& j, size_t index) {
  const std::string what = "layers[" + std::to_string(index) + "]";
  if (!j.is_object()) return data_loss(what + ": expected an object, got " + json_kind(j));
  KerasLayer layer;
  TB_ASSIGN_OR_RETURN(layer.class_name, name_field(j, "class_name", what));
  if (!j.contains("config") || !j["config"].is_object())
    return data_loss(what + " (" + layer.class_name + "): 'config' must be an object");
  layer.config = j["config"];
  // Functional layers carry their name beside the config; Sequential ones inside it.
  TB_ASSIGN_OR_RETURN(layer.name, name_field(j.contains("name") ? j : layer.config, "name",
                                             what + " (" + layer.class_name + ")"));
  if (j.contains("inbound_nodes")) {
    const Json& nodes = j["inbound_nodes"];
    const std::string label = layer_label(layer) + " inbound_nodes";
    if (!nodes.is_array()) return data_loss(label + ": expected an array, got " + json_kind(nodes));
    if (nodes.size() > 1) {
      return unimplemented(label + ": the layer is called " + std::to_string(nodes.size()) +
                           " times; shared layers are not supported");
    }
    if (nodes.size() == 1) {
      if (nodes[0].is_object() && (nodes[0].contains("args") || nodes[0].contains("kwargs")))
        return unimplemented(label +
                             ": Keras 3 inbound nodes ({\"args\": ...}) are not supported; "
                             "expected [[layer, node_index, tensor_index, kwargs], ...]");
      TB_ASSIGN_OR_RETURN(layer.inputs, parse_ref_list(nodes[0], label + "[0]"));
      if (layer.inputs.empty()) return data_loss(label + "[0]: a call without inputs");
    }
  }
  return layer;
}

// A Sequential model: each layer reads the previous one; the first declares the input
// shape (batch_input_shape) unless it is an InputLayer itself.
Result<std::vector<KerasLayer>> chain_sequential(std::vector<KerasLayer> layers) {
  if (layers.empty()) return data_loss("a Sequential model without layers");
  std::vector<KerasLayer> out;
  if (layers[0].class_name != "InputLayer") {
    KerasLayer input;
    input.class_name = "InputLayer";
    input.name = layers[0].name + "_input";
    if (!layers[0].config.contains("batch_input_shape"))
      return data_loss(layer_label(layers[0]) +
                       ": the first layer of a Sequential model needs 'batch_input_shape'");
    input.config = Json::object();
    input.config["batch_input_shape"] = layers[0].config["batch_input_shape"];
    if (layers[0].config.contains("dtype")) input.config["dtype"] = layers[0].config["dtype"];
    out.push_back(std::move(input));
  }
  for (KerasLayer& l : layers) {
    if (!l.inputs.empty())
      return data_loss(layer_label(l) + ": a Sequential model's layer with inbound_nodes");
    if (!out.empty()) l.inputs = {LayerRef{out.back().name, 0, 0}};
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

std::string layer_label(const KerasLayer& layer) {
  return "layer '" + layer.name + "' (" + layer.class_name + ")";
}

Result<LayersModel> parse_layers_model_json(const Json& doc) {
  TB_ASSIGN_OR_RETURN(const std::string kind, model_json_kind(doc));
  if (kind != "layers-model")
    return unimplemented("this is a TF.js " + kind +
                         ", not a layers model: import_tfjs_model reads it");
  if (!doc.contains("modelTopology") || !doc["modelTopology"].is_object())
    return data_loss("'modelTopology' is missing or not an object");
  const Json& topology = doc["modelTopology"];
  const Json& model_config =
      topology.contains("model_config") ? topology["model_config"] : topology;
  if (!model_config.is_object() || !model_config.contains("class_name") ||
      !model_config["class_name"].is_string())
    return data_loss("modelTopology.model_config must be an object with a 'class_name'");
  LayersModel model;
  model.model_class = model_config["class_name"].get<std::string>();
  if (topology.contains("keras_version") && topology["keras_version"].is_string())
    model.keras_version = topology["keras_version"].get<std::string>().substr(0, 32);
  const bool sequential = model.model_class == "Sequential";
  if (!sequential && model.model_class != "Functional" && model.model_class != "Model") {
    return unimplemented("model class '" + model.model_class.substr(0, 64) +
                         "' is not supported (expected Functional, Model or Sequential)");
  }
  if (!model_config.contains("config"))
    return data_loss("modelTopology.model_config has no 'config'");
  const Json& config = model_config["config"];
  // Old Sequential files store the layer list as the config itself.
  const Json* layer_list = config.is_array()                                 ? &config
                           : config.is_object() && config.contains("layers") ? &config["layers"]
                                                                             : nullptr;
  if (!layer_list || !layer_list->is_array())
    return data_loss("modelTopology.model_config.config.layers must be an array");
  if (layer_list->empty()) return data_loss("the model has no layers");
  if (static_cast<int64_t>(layer_list->size()) > kMaxLayers)
    return data_loss("got " + std::to_string(layer_list->size()) + " layers, expected at most " +
                     std::to_string(kMaxLayers));
  std::vector<KerasLayer> layers;
  layers.reserve(layer_list->size());
  for (size_t i = 0; i < layer_list->size(); ++i) {
    TB_ASSIGN_OR_RETURN(KerasLayer layer, parse_layer((*layer_list)[i], i));
    layers.push_back(std::move(layer));
  }
  std::set<std::string> names;
  if (sequential) {
    TB_ASSIGN_OR_RETURN(model.layers, chain_sequential(std::move(layers)));
    model.inputs = {LayerRef{model.layers.front().name, 0, 0}};
    model.outputs = {LayerRef{model.layers.back().name, 0, 0}};
  } else {
    model.layers = std::move(layers);
    if (!config.is_object() || !config.contains("input_layers") ||
        !config.contains("output_layers"))
      return data_loss("a Functional model needs 'input_layers' and 'output_layers'");
    TB_ASSIGN_OR_RETURN(model.inputs, parse_ref_list(config["input_layers"], "input_layers"));
    TB_ASSIGN_OR_RETURN(model.outputs, parse_ref_list(config["output_layers"], "output_layers"));
    if (model.inputs.empty() || model.outputs.empty())
      return data_loss("got no input or output layers, expected at least one of each");
  }
  for (const KerasLayer& l : model.layers) {
    if (!names.insert(l.name).second) return data_loss("two layers are named '" + l.name + "'");
  }
  for (const auto* list : {&model.inputs, &model.outputs}) {
    const char* which = list == &model.inputs ? "input_layers" : "output_layers";
    for (const LayerRef& r : *list) {
      if (!names.count(r.layer))
        return data_loss(std::string(which) + " names '" + r.layer + "', which is not a layer");
    }
  }
  TB_ASSIGN_OR_RETURN(model.groups, parse_weights_manifest(doc));
  return model;
}

Result<LayersModel> read_layers_model_json(const std::string& path, int64_t max_bytes) {
  TB_ASSIGN_OR_RETURN(JsonDocument d, read_json_document(path, max_bytes));
  Result<LayersModel> parsed = data_loss("unparsed");
  try {
    parsed = parse_layers_model_json(d.doc);
  } catch (const Json::exception& e) {  // a type check this parser missed: still an error
    return data_loss(std::string("unexpected JSON structure: ") + e.what());
  }
  TB_ASSIGN_OR_RETURN(LayersModel model, std::move(parsed));
  model.json_path = d.json_path;
  model.dir = d.dir;
  return model;
}

// ---- LayerConfig ----------------------------------------------------------------------

Status LayerConfig::error(const std::string& key, const std::string& what) const {
  return data_loss(layer_label(layer_) + ": config '" + key + "': " + what);
}

Status LayerConfig::unsupported(const std::string& what) const {
  return unimplemented(layer_label(layer_) + ": " + what);
}

bool LayerConfig::has(const std::string& key) const {
  return layer_.config.contains(key) && !layer_.config[key].is_null();
}

Result<std::string> LayerConfig::str(const std::string& key, std::optional<std::string> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  const Json& v = layer_.config[key];
  if (!v.is_string()) return error(key, std::string("got ") + json_kind(v) + ", expected a string");
  return v.get<std::string>();
}

Result<int64_t> LayerConfig::integer(const std::string& key, int64_t lo, int64_t hi,
                                     std::optional<int64_t> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  const Json& v = layer_.config[key];
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    return error(key, "got " + shown(v) + ", expected an integer " + std::to_string(lo) + ".." +
                          std::to_string(hi));
  }
  return v.get<int64_t>();
}

Result<double> LayerConfig::number(const std::string& key, std::optional<double> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  const Json& v = layer_.config[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    return error(key, "got " + shown(v) + ", expected a finite number");
  return v.get<double>();
}

Result<bool> LayerConfig::boolean(const std::string& key, std::optional<bool> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  const Json& v = layer_.config[key];
  if (!v.is_boolean()) return error(key, "got " + shown(v) + ", expected true or false");
  return v.get<bool>();
}

Result<std::pair<int64_t, int64_t>> LayerConfig::pair(
    const std::string& key, int64_t lo, int64_t hi,
    std::optional<std::pair<int64_t, int64_t>> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  const Json& v = layer_.config[key];
  auto in_range = [&](const Json& x) {
    return x.is_number_integer() && x.get<int64_t>() >= lo && x.get<int64_t>() <= hi;
  };
  if (in_range(v)) return std::make_pair(v.get<int64_t>(), v.get<int64_t>());
  if (v.is_array() && v.size() == 2 && in_range(v[0]) && in_range(v[1]))
    return std::make_pair(v[0].get<int64_t>(), v[1].get<int64_t>());
  return error(key, "got " + shown(v) + ", expected two integers " + std::to_string(lo) + ".." +
                        std::to_string(hi));
}

Result<Shape> LayerConfig::shape(const std::string& key) const {
  if (!has(key)) return error(key, "missing");
  const Json& v = layer_.config[key];
  if (!v.is_array() || v.empty() || v.size() > 8)
    return error(key, "got " + shown(v) + ", expected an array of 1 to 8 dims");
  Shape s;
  for (const Json& d : v) {
    if (d.is_null()) {
      s.push_back(-1);
    } else if (d.is_number_integer() && d.get<int64_t>() >= 0 &&
               d.get<int64_t>() <= (int64_t{1} << 31)) {
      s.push_back(d.get<int64_t>());
    } else {
      return error(key, "got " + shown(v) + ", expected dims that are null or integers >= 0");
    }
  }
  return s;
}

}  // namespace toonbox::tfjs
