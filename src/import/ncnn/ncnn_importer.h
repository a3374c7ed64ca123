// ncnn importer: a .param (text) or .param.bin (binary, names from its .id.h) with its
// .bin weights -> IR graph.
//
// ncnn blobs are per image (CHW): the graph's input is NCHW [1, C, -1, -1] (C when the
// Input layer names it), batchable later; its outputs are the blobs no layer reads.
// The result is unspecialized (H and W stay dynamic; Interp and PixelShuffle keep their
// shape arithmetic until specialize()).
//
// Both files are untrusted input: sizes and counts are checked before anything is
// allocated, unsupported layers are reported all at once (type, name, line) before any
// weight is read, every layer's parameters are checked before the .bin is read, and the
// .bin must hold exactly the arrays the params call for (a short file says by how much).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"
#include "import/ncnn/ncnn_param.h"

namespace toonbox::ncnn {

struct NcnnImportOptions {
  ncnn::ParamLimits limits;
  int64_t max_weight_bytes = int64_t{4} << 30;
  // For a .param.bin: its .id.h (layer and blob names). Empty: look beside it for
  // X.param.id.h, X.id.h and the same with ".txt"; without one, names are generated.
  std::string id_header;
};

// Whether `path` names an ncnn network description: *.param or *.param.bin.
bool is_ncnn_param_path(const std::string& path);
// The weights ncnn's tools pair with a text param by name (X.param -> X.bin); "" for a
// .param.bin, which has no convention (one network may have several weight files).
std::string default_ncnn_bin_path(const std::string& param_path);

// The .id.h beside a .param.bin (X.param.id.h, X.id.h, or either with ".txt"), or "" when
// there is none (or for a text .param, which carries its names).
std::string find_ncnn_id_header(const std::string& param_path);

Result<graph::Graph> import_ncnn_model(const std::string& param_path, const std::string& bin_path,
                                       const NcnnImportOptions& options = {});

// What `toonbox models info` prints, read from the param file alone.
struct NcnnModelInfo {
  bool binary = false;
  std::string id_header;  // the .id.h used for names, if any
  int layer_count = 0, blob_count = 0;
  std::vector<std::string> inputs, outputs;  // blob names
  std::map<std::string, int> layer_counts;   // by layer type
  std::vector<std::string> unsupported;      // "Type (layer 'a', line 3)"; empty when all known
};
Result<NcnnModelInfo> read_ncnn_model_info(const std::string& param_path,
                                           const NcnnImportOptions& options = {});

// The ncnn layer types the importer translates, sorted.
std::vector<std::string> ncnn_supported_layers();

}  // namespace toonbox::ncnn
