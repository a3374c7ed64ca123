#include "import/onnx/onnx_importer.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "import/onnx/onnx_loader.h"
#include "import/onnx/onnx_ops.h"

namespace toonbox::onnx_import {

namespace {

using onnx_import::OnnxBuilder;

bool default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

Result<int> default_opset(const onnx::ModelProto& m) {
  int opset = -1;
  for (const auto& o : m.opset_import())
    if (default_domain(o.domain())) opset = static_cast<int>(o.version());
  if (opset < 0) {
    if (m.opset_import_size() == 0) return 1;  // IR v2 files had no opset_import
    return data_loss("the model imports no default-domain opset");
  }
  if (opset < kMinOnnxOpset || opset > kMaxOnnxOpset)
    return unimplemented("opset " + std::to_string(opset) +
                         " is not supported (supported: " + std::to_string(kMinOnnxOpset) + " to " +
                         std::to_string(kMaxOnnxOpset) + ")");
  return opset;
}

std::string qualified_op(const onnx::NodeProto& n) {
  return default_domain(n.domain()) ? n.op_type() : n.domain() + ":" + n.op_type();
}

// Every node whose op the importer lacks, grouped by op in file order.
std::vector<std::string> unsupported_ops(const onnx::GraphProto& g) {
  const auto& table = onnx_import::translators();
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> nodes_by_op;
  for (const auto& n : g.node()) {
    if (default_domain(n.domain()) && table.count(n.op_type())) continue;
    const std::string op = qualified_op(n);
    auto& names = nodes_by_op[op];
    if (names.empty()) order.push_back(op);
    names.push_back(OnnxBuilder::node_name(n));
  }
  std::vector<std::string> out;
  constexpr size_t kNamesShown = 3;
  for (const std::string& op : order) {
    const auto& names = nodes_by_op[op];
    std::string s = op + (names.size() == 1 ? " (node " : " (nodes ");
    for (size_t k = 0; k < names.size() && k < kNamesShown; ++k)
      s += (k ? ", '" : "'") + names[k] + "'";
    if (names.size() > kNamesShown)
      s += " and " + std::to_string(names.size() - kNamesShown) + " more";
    out.push_back(s + ")");
  }
  return out;
}

OnnxModelInfo::Io io_info(const onnx::ValueInfoProto& v) {
  OnnxModelInfo::Io io;
  io.name = v.name();
  if (v.type().has_tensor_type()) {
    const auto& tt = v.type().tensor_type();
    io.type = onnx_import::onnx_type_name(tt.elem_type());
    for (const auto& d : tt.shape().dim())
      io.dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                          : (d.dim_param().empty() ? "?" : d.dim_param()));
  } else {
    io.type = "non-tensor";
  }
  return io;
}

Result<graph::Graph> import(const std::string& path, const OnnxImportOptions& options) {
  onnx::ModelProto model;
  TB_RETURN_IF_ERROR(onnx_import::read_model_proto(path, options.max_model_bytes, &model));
  TB_ASSIGN_OR_RETURN(int opset, default_opset(model));
  const onnx::GraphProto& g = model.graph();
  const std::vector<std::string> missing = unsupported_ops(g);
  if (!missing.empty()) {
    std::string msg = "unsupported ONNX ops: ";
    for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
    return unimplemented(msg);
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  OnnxBuilder b(opset, dir.empty() ? "." : dir, options.max_weight_bytes);

  std::set<std::string> initializer_names;
  for (const auto& t : g.initializer()) {
    TB_ASSIGN_OR_RETURN(Tensor value, b.decode(t));
    if (t.name().empty()) return data_loss("an initializer has no name");
    b.bind(t.name(), b.graph().add_constant(t.name(), std::move(value)));
    initializer_names.insert(t.name());
  }
  for (const auto& in : g.input()) {
    if (initializer_names.count(in.name())) continue;  // IR < 4 lists weights as inputs
    if (!in.type().has_tensor_type())
      return unimplemented("input '" + in.name() + "' is not a tensor");
    const auto& tt = in.type().tensor_type();
    // A double input (CodeFormer's fidelity `weight`) is taken as float32 at the boundary:
    // callers pass float32 and the graph's Cast to float becomes a no-op.
    if (tt.elem_type() != onnx::TensorProto::FLOAT && tt.elem_type() != onnx::TensorProto::DOUBLE)
      return unimplemented("input '" + in.name() + "' is " +
                           onnx_import::onnx_type_name(tt.elem_type()) +
                           "; only float and double inputs are supported");
    Shape shape;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() < 0)
        return data_loss("input '" + in.name() + "' has a negative dim");
      shape.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
    }
    b.bind(in.name(), b.graph().add_input(in.name(), DType::kFloat32, shape));
  }
  const auto& table = onnx_import::translators();
  for (const auto& n : g.node()) {
    Status s = table.at(n.op_type())(b, n);
    if (!s.is_ok()) return s;
  }
  std::vector<int> outputs;
  for (const auto& out : g.output()) {
    auto v = b.lookup(out.name());
    if (!v.is_ok())
      return data_loss("graph output '" + out.name() + "' is not produced by any node");
    outputs.push_back(v.value());
  }
  if (outputs.empty()) return data_loss("the graph has no outputs");
  graph::Graph graph = std::move(b.graph());
  graph.set_outputs(std::move(outputs));
  graph.prune();
  return graph;
}

}  // namespace

Result<graph::Graph> import_onnx_model(const std::string& path, const OnnxImportOptions& options) {
  Result<graph::Graph> graph = import(path, options);
  if (!graph.is_ok()) return graph.status().with_context(path);
  return graph;
}

Result<OnnxModelInfo> read_onnx_model_info(const std::string& path,
                                           const OnnxImportOptions& options) {
  onnx::ModelProto model;
  Status s = onnx_import::read_model_proto(path, options.max_model_bytes, &model);
  if (!s.is_ok()) return s.with_context(path);
  OnnxModelInfo info;
  info.ir_version = model.ir_version();
  info.producer = model.producer_name() +
                  (model.producer_version().empty() ? "" : " " + model.producer_version());
  for (const auto& o : model.opset_import())
    if (default_domain(o.domain())) info.opset = static_cast<int>(o.version());
  const auto& g = model.graph();
  std::set<std::string> inits;
  for (const auto& t : g.initializer()) inits.insert(t.name());
  info.initializer_count = g.initializer_size();
  for (const auto& in : g.input())
    if (!inits.count(in.name())) info.inputs.push_back(io_info(in));
  for (const auto& out : g.output()) info.outputs.push_back(io_info(out));
  for (const auto& n : g.node()) ++info.op_counts[qualified_op(n)];
  info.unsupported = unsupported_ops(g);
  if (auto it = info.op_counts.find("RandomNormalLike"); it != info.op_counts.end())
    info.notes.push_back(onnx_import::deterministic_sampling_note(it->first, it->second));
  for (const auto& in : info.inputs)
    if (in.type == "double")
      info.notes.push_back("input '" + in.name + "' is double: toonbox takes it as float32");
  return info;
}

Result<std::vector<std::string>> onnx_external_data_files(const std::string& path,
                                                          const OnnxImportOptions& options) {
  onnx::ModelProto model;
  Status s = onnx_import::read_model_proto(path, options.max_model_bytes, &model);
  if (!s.is_ok()) return s.with_context(path);
  std::vector<std::string> files;
  for (const auto& t : model.graph().initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    for (const auto& kv : t.external_data()) {
      if (kv.key() != "location") continue;
      const std::string& loc = kv.value();
      std::filesystem::path rel(loc);
      if (loc.empty() || rel.is_absolute())
        return invalid_argument("external data path '" + loc + "' must be relative");
      for (const auto& part : rel)
        if (part == "..")
          return invalid_argument("external data path '" + loc + "' leaves the model folder");
      if (std::find(files.begin(), files.end(), loc) == files.end()) files.push_back(loc);
    }
  }
  return files;
}

std::vector<std::string> onnx_supported_ops() {
  std::vector<std::string> ops;
  for (const auto& [name, fn] : onnx_import::translators()) ops.push_back(name);
  return ops;
}

}  // namespace toonbox::onnx_import
