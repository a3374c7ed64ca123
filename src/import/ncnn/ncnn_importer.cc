#include "import/ncnn/ncnn_importer.h"

#include <filesystem>
#include <fstream>

#include "import/ncnn/ncnn_layers.h"
#include "import/ncnn/ncnn_weights.h"

namespace toonbox::ncnn {

namespace {

namespace fs = std::filesystem;
using ncnn::Layer;
using ncnn::Net;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

Result<std::string> read_file(const std::string& path, int64_t max_bytes, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return not_found("cannot read " + std::string(what) + " '" + path +
                     "': " + (ec ? ec.message() : std::string("not a regular file")));
  const auto size = fs::file_size(path, ec);
  if (ec) return not_found("cannot read '" + path + "': " + ec.message());
  if (static_cast<int64_t>(size) > max_bytes)
    return resource_exhausted("'" + path + "' is " + std::to_string(size) +
                              " bytes, more than the limit of " + std::to_string(max_bytes) +
                              " for " + what);
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open '" + path + "'");
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size))
    return data_loss("short read from '" + path + "'");
  return data;
}

bool is_binary_param(const std::string& bytes) {
  return bytes.size() >= 4 &&
         ncnn::load_u32le(bytes, 0) == static_cast<uint32_t>(ncnn::kParamMagic);
}

}  // namespace

std::string find_ncnn_id_header(const std::string& param_path) {
  if (!ends_with(param_path, ".bin")) return "";
  std::vector<std::string> stems = {param_path.substr(0, param_path.size() - 4)};  // X.param
  if (ends_with(stems[0], ".param")) stems.push_back(stems[0].substr(0, stems[0].size() - 6));
  std::error_code ec;
  for (const std::string& stem : stems)
    for (const char* ext : {".id.h", ".id.h.txt"})
      if (fs::is_regular_file(stem + ext, ec)) return stem + ext;
  return "";
}

namespace {

struct ParsedParam {
  Net net;
  std::string id_header;
};

Result<ParsedParam> read_param(const std::string& path, const NcnnImportOptions& options) {
  TB_ASSIGN_OR_RETURN(std::string bytes,
                      read_file(path, options.limits.max_param_bytes, "a .param"));
  ParsedParam out;
  if (!is_binary_param(bytes)) {
    TB_ASSIGN_OR_RETURN(out.net, ncnn::parse_param_text(bytes, path, options.limits));
    return out;
  }
  out.id_header = options.id_header.empty() && ends_with(path, ".bin") ? find_ncnn_id_header(path)
                                                                       : options.id_header;
  ncnn::IdNames names;
  if (!out.id_header.empty()) {
    TB_ASSIGN_OR_RETURN(std::string text,
                        read_file(out.id_header, options.limits.max_param_bytes, "an .id.h"));
    TB_ASSIGN_OR_RETURN(names, ncnn::parse_id_header(text, out.id_header));
  }
  TB_ASSIGN_OR_RETURN(
      out.net, ncnn::parse_param_binary(bytes, path, out.id_header.empty() ? nullptr : &names,
                                        options.limits));
  return out;
}

// Every layer whose type the importer lacks, grouped by type in file order.
std::vector<std::string> unsupported_layers(const Net& net) {
  const auto& table = ncnn::layer_table();
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> where;
  for (const Layer& l : net.layers) {
    if (table.count(l.type)) continue;
    auto& list = where[l.type];
    if (list.empty()) order.push_back(l.type);
    list.push_back("'" + l.name + "'" + (l.line ? " line " + std::to_string(l.line) : ""));
  }
  std::vector<std::string> out;
  constexpr size_t kShown = 3;
  for (const std::string& type : order) {
    const auto& list = where[type];
    std::string s = type + (list.size() == 1 ? " (layer " : " (layers ");
    for (size_t k = 0; k < list.size() && k < kShown; ++k) s += (k ? ", " : "") + list[k];
    if (list.size() > kShown) s += " and " + std::to_string(list.size() - kShown) + " more";
    out.push_back(s + ")");
  }
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

Result<graph::Graph> import_ncnn_model(const std::string& param_path, const std::string& bin_path,
                                       const NcnnImportOptions& options) {
  TB_ASSIGN_OR_RETURN(ParsedParam parsed, read_param(param_path, options));
  const Net& net = parsed.net;
  if (const auto missing = unsupported_layers(net); !missing.empty())
    return unimplemented(param_path + ": unsupported ncnn layers: " + join(missing, ", ") +
                         " (supported: " + join(ncnn_supported_layers(), " ") + ")");
  const auto& table = ncnn::layer_table();
  // Every layer's parameters checked, and the .bin's layout known, before reading it.
  std::vector<ncnn::WeightRead> reads;
  std::vector<size_t> first_read(net.layers.size() + 1, 0);
  for (const Layer& l : net.layers) {
    first_read[l.index] = reads.size();
    const ncnn::LayerSpec& spec = table.at(l.type);
    if (!spec.reads) continue;
    auto r = spec.reads(l);
    if (!r.is_ok()) return r.status().with_context(param_path);
    reads.insert(reads.end(), r->begin(), r->end());
  }
  first_read[net.layers.size()] = reads.size();
  TB_ASSIGN_OR_RETURN(std::string bin,
                      read_file(bin_path, options.max_weight_bytes, "ncnn weights"));
  // Each layer's arrays are read just before it is built, so that only one layer's
  // decoded weights exist beside the graph's constants at a time.
  ncnn::WeightReader reader(bin, bin_path);
  ncnn::Builder b(net);
  for (const Layer& l : net.layers) {
    ncnn::Weights weights;
    for (size_t k = first_read[l.index]; k < first_read[l.index + 1]; ++k) {
      TB_ASSIGN_OR_RETURN(ncnn::WeightArray a,
                          reader.read(reads[k], l.where(),
                                      std::span<const ncnn::WeightRead>(reads).subspan(k + 1)));
      weights.push_back(std::move(a));
    }
    Status s = table.at(l.type).build(b, l, weights);
    if (!s.is_ok()) return s.with_context(param_path);
  }
  if (reader.left() != 0)
    return data_loss(bin_path + ": got " + std::to_string(bin.size()) + " bytes, expected " +
                     std::to_string(reader.offset()) + " (what " + param_path +
                     " reads): " + std::to_string(reader.left()) +
                     " bytes left over; is this the .bin of another .param?");
  std::vector<int> outputs;
  for (size_t i = 0; i < net.blobs.size(); ++i)
    if (net.blobs[i].producer >= 0 && net.blobs[i].consumers.empty())
      outputs.push_back(b.blob(static_cast<int>(i)).value);
  if (outputs.empty())
    return data_loss(param_path + ": no blob is left unread: the net has no output");
  if (b.graph().inputs().empty()) return data_loss(param_path + ": the net has no Input layer");
  graph::Graph graph = std::move(b.graph());
  graph.set_outputs(std::move(outputs));
  graph.prune();
  return graph;
}

bool is_ncnn_param_path(const std::string& path) {
  return ends_with(path, ".param") || ends_with(path, ".param.bin");
}

std::string default_ncnn_bin_path(const std::string& param_path) {
  if (!ends_with(param_path, ".param")) return "";
  return param_path.substr(0, param_path.size() - 6) + ".bin";
}

Result<NcnnModelInfo> read_ncnn_model_info(const std::string& param_path,
                                           const NcnnImportOptions& options) {
  TB_ASSIGN_OR_RETURN(ParsedParam parsed, read_param(param_path, options));
  const Net& net = parsed.net;
  NcnnModelInfo info;
  info.binary = net.binary;
  info.id_header = parsed.id_header;
  info.layer_count = static_cast<int>(net.layers.size());
  info.blob_count = static_cast<int>(net.blobs.size());
  for (const Layer& l : net.layers) {
    ++info.layer_counts[l.type];
    if (l.type == "Input")
      for (int t : l.tops) info.inputs.push_back(net.blobs[t].name);
  }
  for (const ncnn::Blob& blob : net.blobs)
    if (blob.producer >= 0 && blob.consumers.empty()) info.outputs.push_back(blob.name);
  info.unsupported = unsupported_layers(net);
  return info;
}

std::vector<std::string> ncnn_supported_layers() {
  std::vector<std::string> out;
  for (const auto& [name, spec] : ncnn::layer_table()) out.push_back(name);
  return out;
}

}  // namespace toonbox::ncnn
