#include "import/tfjs/tfjs_model.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <system_error>

#include "ops/shape_inference.h"

namespace toonbox::tfjs {

namespace fs = std::filesystem;

const char* json_kind(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "an unexpected value";
  }
}

namespace {

Result<std::string> json_string(const Json& j, const std::string& what) {
  if (!j.is_string()) return data_loss(what + ": expected a string, got " + json_kind(j));
  return j.get<std::string>();
}

Result<double> json_number(const Json& j, const std::string& what) {
  if (!j.is_number()) return data_loss(what + ": expected a number, got " + json_kind(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) return data_loss(what + ": not a finite number");
  return v;
}

Result<Quantization> parse_quantization_dtype(const std::string& s, const std::string& what) {
  if (s == "float16") return Quantization::kFloat16;
  if (s == "uint8") return Quantization::kUInt8;
  if (s == "uint16") return Quantization::kUInt16;
  return unimplemented(what + ": quantization dtype '" + s +
                       "' is not supported (expected float16, uint8 or uint16)");
}

Result<TfWeightSpec> parse_weight_spec(const Json& w, const std::string& what) {
  if (!w.is_object()) return data_loss(what + ": expected an object, got " + json_kind(w));
  TfWeightSpec spec;
  if (!w.contains("name")) return data_loss(what + ": missing 'name'");
  TB_ASSIGN_OR_RETURN(spec.name, json_string(w["name"], what + " name"));
  if (spec.name.empty()) return data_loss(what + ": empty name");
  const std::string wname = "weight '" + spec.name + "'";
  if (!w.contains("shape") || !w["shape"].is_array())
    return data_loss(wname + ": 'shape' must be an array of integers");
  for (const Json& d : w["shape"]) {
    TB_ASSIGN_OR_RETURN(int64_t dim, parse_json_int(d, wname + " shape"));
    spec.shape.push_back(dim);
  }
  TB_RETURN_IF_ERROR(check_shape(spec.shape, ops::kMaxTensorElements, wname));
  if (!w.contains("dtype")) return data_loss(wname + ": missing 'dtype'");
  TB_ASSIGN_OR_RETURN(std::string dtype, json_string(w["dtype"], wname + " dtype"));
  if (dtype == "float32") {
    spec.dtype = DType::kFloat32;
  } else if (dtype == "int32") {
    spec.dtype = DType::kInt32;
  } else {
    return unimplemented(wname + ": dtype '" + dtype + "' is not supported (float32, int32)");
  }
  int64_t bytes_per_value = 4;
  if (w.contains("quantization") && !w["quantization"].is_null()) {
    const Json& q = w["quantization"];
    if (!q.is_object()) return data_loss(wname + ": 'quantization' must be an object");
    if (!q.contains("dtype")) return data_loss(wname + ": quantization has no 'dtype'");
    TB_ASSIGN_OR_RETURN(std::string qd, json_string(q["dtype"], wname + " quantization dtype"));
    TB_ASSIGN_OR_RETURN(spec.quantization, parse_quantization_dtype(qd, wname));
    if (spec.quantization == Quantization::kFloat16) {
      if (spec.dtype != DType::kFloat32)
        return data_loss(wname + ": float16 quantization needs dtype float32, got " + dtype);
      bytes_per_value = 2;
    } else {
      if (!q.contains("min") || !q.contains("scale"))
        return data_loss(wname + ": " + qd + " quantization needs 'min' and 'scale'");
      TB_ASSIGN_OR_RETURN(spec.min, json_number(q["min"], wname + " quantization min"));
      TB_ASSIGN_OR_RETURN(spec.scale, json_number(q["scale"], wname + " quantization scale"));
      bytes_per_value = spec.quantization == Quantization::kUInt8 ? 1 : 2;
    }
  }
  spec.stored_bytes = shape_numel(spec.shape) * bytes_per_value;
  return spec;
}

Result<std::vector<TfWeightGroup>> parse_manifest_groups(const Json& doc) {
  std::vector<TfWeightGroup> groups;
  if (!doc.contains("weightsManifest")) return groups;  // a graph without weights
  const Json& manifest = doc["weightsManifest"];
  if (!manifest.is_array())
    return data_loss(std::string("'weightsManifest' must be an array, got ") + json_kind(manifest));
  std::set<std::string> names;
  for (size_t g = 0; g < manifest.size(); ++g) {
    const std::string what = "weightsManifest[" + std::to_string(g) + "]";
    const Json& entry = manifest[g];
    if (!entry.is_object()) return data_loss(what + ": expected an object");
    TfWeightGroup group;
    if (!entry.contains("paths") || !entry["paths"].is_array())
      return data_loss(what + ": 'paths' must be an array of file names");
    for (const Json& p : entry["paths"]) {
      TB_ASSIGN_OR_RETURN(std::string path, json_string(p, what + " paths"));
      group.paths.push_back(std::move(path));
    }
    if (!entry.contains("weights") || !entry["weights"].is_array())
      return data_loss(what + ": 'weights' must be an array");
    const Json& weights = entry["weights"];
    for (size_t i = 0; i < weights.size(); ++i) {
      TB_ASSIGN_OR_RETURN(
          TfWeightSpec spec,
          parse_weight_spec(weights[i], what + ".weights[" + std::to_string(i) + "]"));
      if (!names.insert(spec.name).second)
        return data_loss("weight '" + spec.name + "' appears twice in weightsManifest");
      group.stored_bytes += spec.stored_bytes;  // each <= 4 * 2^30: no overflow in practice
      group.weights.push_back(std::move(spec));
    }
    if (group.paths.empty() && group.stored_bytes > 0)
      return data_loss(what + ": has weights but no shard paths");
    groups.push_back(std::move(group));
  }
  return groups;
}

Result<std::vector<std::string>> parse_signature_outputs(const Json& doc) {
  std::vector<std::string> outputs;
  const Json* sig = nullptr;
  if (doc.contains("signature") && doc["signature"].is_object()) {
    sig = &doc["signature"];
  } else if (doc.contains("userDefinedMetadata") && doc["userDefinedMetadata"].is_object() &&
             doc["userDefinedMetadata"].contains("signature") &&
             doc["userDefinedMetadata"]["signature"].is_object()) {
    sig = &doc["userDefinedMetadata"]["signature"];
  }
  if (!sig || !sig->contains("outputs")) return outputs;
  const Json& outs = (*sig)["outputs"];
  if (!outs.is_object()) return data_loss("signature 'outputs' must be an object");
  for (auto it = outs.begin(); it != outs.end(); ++it) {
    const Json& info = it.value();
    if (info.is_object() && info.contains("name")) {
      TB_ASSIGN_OR_RETURN(std::string name, json_string(info["name"], "signature output name"));
      outputs.push_back(std::move(name));
    } else {
      outputs.push_back(it.key());
    }
  }
  return outputs;
}

Result<TfNode> parse_node(const Json& j, size_t index) {
  const std::string what = "modelTopology.node[" + std::to_string(index) + "]";
  if (!j.is_object()) return data_loss(what + ": expected an object, got " + json_kind(j));
  TfNode node;
  if (!j.contains("name")) return data_loss(what + ": missing 'name'");
  TB_ASSIGN_OR_RETURN(node.name, json_string(j["name"], what + " name"));
  if (node.name.empty()) return data_loss(what + ": empty node name");
  const std::string nname = "node '" + node.name + "'";
  if (!j.contains("op")) return data_loss(nname + ": missing 'op'");
  TB_ASSIGN_OR_RETURN(node.op, json_string(j["op"], nname + " op"));
  if (node.op.empty()) return data_loss(nname + ": empty op");
  if (j.contains("input")) {
    const Json& inputs = j["input"];
    if (!inputs.is_array()) return data_loss(nname + ": 'input' must be an array of strings");
    for (const Json& in : inputs) {
      TB_ASSIGN_OR_RETURN(std::string ref, json_string(in, nname + " input"));
      TfInput data;
      std::string control;
      auto is_data = parse_input_ref(ref, &data, &control);
      if (!is_data.is_ok()) return is_data.status().with_context(nname);
      if (is_data.value()) {
        node.inputs.push_back(std::move(data));
      } else {
        node.control_inputs.push_back(std::move(control));
      }
    }
  }
  if (j.contains("attr")) {
    if (!j["attr"].is_object()) return data_loss(nname + ": 'attr' must be an object");
    node.attr = j["attr"];
  } else {
    node.attr = Json::object();
  }
  return node;
}

}  // namespace

Status check_json_depth(const std::string& text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return data_loss("JSON is nested deeper than " + std::to_string(max_depth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::ok();
}

Result<std::string> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  size_t n = text.size();
  while (n > 0 && text[n - 1] == '=') --n;
  if (text.size() - n > 2 || n % 4 == 1) return data_loss("invalid base64 '" + text + "'");
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    const int v = value(text[i]);
    if (v < 0) return data_loss("invalid base64 '" + text + "'");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffu));
    }
  }
  return out;
}

Result<bool> parse_input_ref(const std::string& ref, TfInput* data, std::string* control) {
  if (ref.empty()) return data_loss("empty input name");
  if (ref[0] == '^') {
    if (ref.size() == 1) return data_loss("empty control input name");
    *control = ref.substr(1);
    return false;
  }
  data->node = ref;
  data->index = 0;
  const size_t colon = ref.rfind(':');
  if (colon != std::string::npos) {
    const std::string digits = ref.substr(colon + 1);
    int index = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || index < 0)
      return data_loss("input '" + ref + "': bad output index");
    if (colon == 0) return data_loss("input '" + ref + "': empty node name");
    data->node = ref.substr(0, colon);
    data->index = index;
  }
  return true;
}

Result<int64_t> parse_json_int(const Json& j, const std::string& what) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return data_loss(what + ": integer out of range");
    return static_cast<int64_t>(u);
  }
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
      return data_loss(what + ": '" + s + "' is not an integer");
    return v;
  }
  return data_loss(what + ": expected an integer, got " + json_kind(j));
}

Result<DType> parse_tf_dtype(const std::string& name, const std::string& what) {
  if (name == "DT_FLOAT") return DType::kFloat32;
  if (name == "DT_INT32") return DType::kInt32;
  return unimplemented(what + ": type " + name + " is not supported (DT_FLOAT, DT_INT32)");
}

Result<Shape> parse_shape_proto(const Json& j, const std::string& what) {
  if (!j.is_object()) return data_loss(what + ": shape must be an object, got " + json_kind(j));
  if (j.contains("unknownRank") && j["unknownRank"].is_boolean() && j["unknownRank"].get<bool>())
    return unimplemented(what + ": unknown rank");
  Shape shape;
  if (!j.contains("dim")) return shape;  // a scalar
  if (!j["dim"].is_array()) return data_loss(what + ": 'dim' must be an array");
  for (const Json& d : j["dim"]) {
    if (!d.is_object()) return data_loss(what + ": each dim must be an object");
    int64_t size = 0;  // protobuf JSON omits a zero size
    if (d.contains("size")) {
      TB_ASSIGN_OR_RETURN(size, parse_json_int(d["size"], what + " dim size"));
    }
    if (size < -1) return data_loss(what + ": invalid dim " + std::to_string(size));
    shape.push_back(size);
  }
  if (shape.size() > 8) return unimplemented(what + ": rank " + std::to_string(shape.size()));
  return shape;
}

// ---- TfAttrs ------------------------------------------------------------------------

Status TfAttrs::error(const std::string& key, const std::string& what) const {
  return data_loss("node '" + node_.name + "' (" + node_.op + "): attribute '" + key +
                   "': " + what);
}

bool TfAttrs::has(const std::string& key) const { return node_.attr.contains(key); }

Result<const Json*> TfAttrs::field(const std::string& key, const char* kind) const {
  const Json& a = node_.attr[key];
  if (!a.is_object()) return error(key, "expected an AttrValue object");
  if (!a.contains(kind)) {
    // An AttrValue holding another kind is a type error; an empty one is the default.
    for (const char* k : {"s", "i", "f", "b", "type", "shape", "tensor", "list", "func"}) {
      if (std::string(k) != kind && a.contains(k))
        return error(key, std::string("expected '") + kind + "', got '" + k + "'");
    }
    return static_cast<const Json*>(nullptr);
  }
  return &a[kind];
}

Result<std::string> TfAttrs::str(const std::string& key, std::optional<std::string> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "s"));
  if (!v) return std::string();
  if (!v->is_string()) return error(key, "expected a base64 string");
  auto decoded = base64_decode(v->get<std::string>());
  if (!decoded.is_ok()) return error(key, decoded.status().message());
  return decoded.value();
}

Result<int64_t> TfAttrs::i(const std::string& key, std::optional<int64_t> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "i"));
  if (!v) return int64_t{0};
  auto r = parse_json_int(*v, "value");
  if (!r.is_ok()) return error(key, r.status().message());
  return r.value();
}

Result<float> TfAttrs::f(const std::string& key, std::optional<float> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "f"));
  if (!v) return 0.f;
  if (!v->is_number()) return error(key, std::string("expected a number, got ") + json_kind(*v));
  const double d = v->get<double>();
  if (!std::isfinite(d)) return error(key, "not a finite number");
  return static_cast<float>(d);
}

Result<bool> TfAttrs::b(const std::string& key, std::optional<bool> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "b"));
  if (!v) return false;
  if (!v->is_boolean()) return error(key, std::string("expected a boolean, got ") + json_kind(*v));
  return v->get<bool>();
}

Result<std::vector<int64_t>> TfAttrs::ints(const std::string& key,
                                           std::optional<std::vector<int64_t>> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "list"));
  std::vector<int64_t> out;
  if (!v) return out;
  if (!v->is_object()) return error(key, "expected a list object");
  if (!v->contains("i")) {
    if (!v->empty()) return error(key, "expected a list of ints");
    return out;
  }
  const Json& items = (*v)["i"];
  if (!items.is_array()) return error(key, "expected a list of ints");
  for (const Json& item : items) {
    auto r = parse_json_int(item, "list item");
    if (!r.is_ok()) return error(key, r.status().message());
    out.push_back(r.value());
  }
  return out;
}

Result<std::vector<std::string>> TfAttrs::strs(const std::string& key,
                                               std::optional<std::vector<std::string>> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "list"));
  std::vector<std::string> out;
  if (!v) return out;
  if (!v->is_object()) return error(key, "expected a list object");
  if (!v->contains("s")) {
    if (!v->empty()) return error(key, "expected a list of strings");
    return out;
  }
  const Json& items = (*v)["s"];
  if (!items.is_array()) return error(key, "expected a list of strings");
  for (const Json& item : items) {
    if (!item.is_string()) return error(key, "expected a list of base64 strings");
    auto decoded = base64_decode(item.get<std::string>());
    if (!decoded.is_ok()) return error(key, decoded.status().message());
    out.push_back(decoded.value());
  }
  return out;
}

Result<DType> TfAttrs::type(const std::string& key, std::optional<DType> def) const {
  if (!has(key)) {
    if (def) return *def;
    return error(key, "missing");
  }
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "type"));
  if (!v) return error(key, "DT_INVALID");
  if (!v->is_string()) return error(key, "expected a type name");
  return parse_tf_dtype(v->get<std::string>(),
                        "node '" + node_.name + "' (" + node_.op + "): attribute '" + key + "'");
}

Result<Shape> TfAttrs::shape(const std::string& key) const {
  if (!has(key)) return error(key, "missing");
  TB_ASSIGN_OR_RETURN(const Json* v, field(key, "shape"));
  if (!v) return Shape{};
  return parse_shape_proto(*v,
                           "node '" + node_.name + "' (" + node_.op + "): attribute '" + key + "'");
}

// ---- model.json ---------------------------------------------------------------------

Result<std::vector<TfWeightGroup>> parse_weights_manifest(const Json& doc) {
  return parse_manifest_groups(doc);
}

Result<std::string> model_json_kind(const Json& doc) {
  if (!doc.is_object()) return data_loss("the top level must be a JSON object");
  if (doc.contains("format")) {
    if (!doc["format"].is_string())
      return data_loss(std::string("'format' must be a string, got ") + json_kind(doc["format"]));
    const std::string format = doc["format"].get<std::string>();
    if (format == "graph-model" || format == "layers-model") return format;
    return unimplemented("'format' is \"" + format.substr(0, 64) +
                         "\"; expected \"graph-model\" or \"layers-model\"");
  }
  const Json* topology = doc.contains("modelTopology") ? &doc["modelTopology"] : nullptr;
  if (topology && topology->is_object()) {
    if (topology->contains("node")) return std::string("graph-model");
    if (topology->contains("model_config") || topology->contains("class_name"))
      return std::string("layers-model");
  }
  return data_loss(
      "'format' is missing and modelTopology is neither a graph (node) nor a Keras model "
      "(model_config); expected a TF.js model.json");
}

Result<TfjsModel> parse_model_json(const Json& doc) {
  if (!doc.is_object()) return data_loss("the top level must be a JSON object");
  if (!doc.contains("format") || !doc["format"].is_string())
    return data_loss("'format' is missing; expected \"graph-model\"");
  const std::string format = doc["format"].get<std::string>();
  if (format == "layers-model") {
    return unimplemented(
        "'format' is \"layers-model\", not \"graph-model\": a TF.js layers model, which "
        "import_tfjs_layers_model reads");
  }
  if (format != "graph-model") {
    return unimplemented("'format' is \"" + format.substr(0, 64) +
                         "\"; only TF.js graph models (\"graph-model\") are supported");
  }
  if (!doc.contains("modelTopology") || !doc["modelTopology"].is_object())
    return data_loss("'modelTopology' is missing or not an object");
  const Json& topology = doc["modelTopology"];
  if (!topology.contains("node") || !topology["node"].is_array())
    return data_loss("'modelTopology.node' is missing or not an array");
  if (topology.contains("library") && topology["library"].is_object() &&
      topology["library"].contains("function") && topology["library"]["function"].is_array() &&
      !topology["library"]["function"].empty())
    return unimplemented(
        "models with control flow functions (modelTopology.library) are not supported");

  TfjsModel model;
  std::set<std::string> names;
  const Json& nodes = topology["node"];
  model.nodes.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    TB_ASSIGN_OR_RETURN(TfNode node, parse_node(nodes[i], i));
    if (!names.insert(node.name).second)
      return data_loss("duplicate node name '" + node.name + "'");
    model.nodes.push_back(std::move(node));
  }
  TB_ASSIGN_OR_RETURN(model.groups, parse_weights_manifest(doc));
  TB_ASSIGN_OR_RETURN(model.signature_outputs, parse_signature_outputs(doc));
  return model;
}

Result<JsonDocument> read_json_document(const std::string& path, int64_t max_bytes) {
  std::error_code ec;
  fs::path json_path = path;
  if (fs::is_directory(json_path, ec)) json_path /= "model.json";
  const fs::file_status st = fs::status(json_path, ec);
  if (ec || !fs::exists(st)) return not_found("no such file");
  if (!fs::is_regular_file(st)) return invalid_argument("not a regular file");
  const uintmax_t size = fs::file_size(json_path, ec);
  if (ec) return not_found("cannot read the file size: " + ec.message());
  if (size > static_cast<uintmax_t>(max_bytes)) {
    return resource_exhausted("model.json is " + std::to_string(size) +
                              " bytes, over the limit of " + std::to_string(max_bytes));
  }
  std::ifstream in(json_path, std::ios::binary);
  if (!in) return not_found("cannot open the file");
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size)
    return data_loss("read " + std::to_string(in.gcount()) + " bytes, expected " +
                     std::to_string(size));
  TB_RETURN_IF_ERROR(check_json_depth(text, kMaxJsonDepth));
  JsonDocument d;
  try {
    d.doc = Json::parse(text);
  } catch (const Json::exception& e) {
    return data_loss(std::string("invalid JSON: ") + e.what());
  }
  d.json_path = json_path;
  d.dir = fs::canonical(json_path, ec).parent_path();
  if (ec) return not_found("cannot resolve the model folder: " + ec.message());
  return d;
}

Result<TfjsModel> read_model_json(const std::string& path, int64_t max_bytes) {
  TB_ASSIGN_OR_RETURN(JsonDocument d, read_json_document(path, max_bytes));
  Result<TfjsModel> parsed = data_loss("unparsed");
  try {
    parsed = parse_model_json(d.doc);
  } catch (const Json::exception& e) {  // a type check this parser missed: still an error
    return data_loss(std::string("unexpected JSON structure: ") + e.what());
  }
  TB_ASSIGN_OR_RETURN(TfjsModel model, std::move(parsed));
  model.json_path = d.json_path;
  model.dir = d.dir;
  return model;
}

}  // namespace toonbox::tfjs
