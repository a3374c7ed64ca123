// TensorFlow.js graph-model importer: model.json + weight shards -> IR graph.
//
// The result is unspecialized: the input keeps its unknown dims (-1) and the shape
// arithmetic TF exported (Shape, StridedSlice, Pack, Fill, ...) stays as IR shape ops
// until specialize() folds it for concrete input sizes. Conv filters become OIHW
// constants; layout stays NHWC, as in the model.
//
// model.json and the shards are untrusted input: every size, path, type and reference is
// checked, and errors name the file and the problem. Unknown ops are reported together
// in one error before any weight is read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::tfjs {

struct TfjsImportOptions {
  // Graph outputs by node name ("final_output" or "final_output:0"). Empty: the outputs
  // of the model's signature if it has one, else every node no other node reads.
  std::vector<std::string> outputs;
  int64_t max_model_json_bytes = int64_t{64} << 20;
  int64_t max_weight_bytes = int64_t{4} << 30;
};

// `path` is model.json or the folder holding it.
Result<graph::Graph> import_tfjs_model(const std::string& path,
                                       const TfjsImportOptions& options = {});

// The files a model consists of, after the same checks the importer makes on model.json
// and on shard paths (sizes are not checked here; import_tfjs_model does that).
struct TfjsModelFiles {
  std::string model_json;                   // path of model.json as given
  std::vector<std::string> shards;          // canonical shard paths, in manifest order
  std::vector<std::string> shard_relative;  // the same, as the manifest writes them
  std::vector<std::string> all_files;       // model_json, then the shards
};
Result<TfjsModelFiles> list_tfjs_model_files(const std::string& path,
                                             const TfjsImportOptions& options = {});

// The TensorFlow op names the importer translates, sorted.
const std::vector<std::string>& tfjs_supported_ops();

}  // namespace toonbox::tfjs
