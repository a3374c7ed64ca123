// ONNX importer: model.onnx (+ external data files) -> IR graph.
//
// The result is unspecialized: dynamic dims (dim_param) stay -1 and ONNX shape
// subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape/Resize) stay as IR nodes
// until specialize() folds them for concrete input sizes. Layout is NCHW, as ONNX.
//
// The file is untrusted input: the protobuf is parsed with a size limit, every tensor's
// byte count is checked against its shape and type, external data must stay inside the
// model's folder, and unsupported operators are reported all at once, by op and node,
// before any weights are decoded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::onnx_import {

struct OnnxImportOptions {
  int64_t max_model_bytes = int64_t{2} << 30;   // the .onnx file itself
  int64_t max_weight_bytes = int64_t{4} << 30;  // all tensors, external data included
};

// Opsets of the default domain the importer accepts.
inline constexpr int kMinOnnxOpset = 7;
inline constexpr int kMaxOnnxOpset = 20;

Result<graph::Graph> import_onnx_model(const std::string& path,
                                       const OnnxImportOptions& options = {});

// What `toonbox models info` prints, read without decoding weights.
struct OnnxModelInfo {
  struct Io {
    std::string name;
    std::string type;               // "float", "int64", ...
    std::vector<std::string> dims;  // "1", "height", "?"
  };
  int64_t ir_version = 0;
  int opset = 0;
  std::string producer;
  std::vector<Io> inputs, outputs;
  std::map<std::string, int> op_counts;  // by op type ("ai.onnx.ml:Foo" for other domains)
  std::vector<std::string> unsupported;  // "Op (node 'a', 'b')" entries; empty when all known
  int64_t initializer_count = 0;
  // What the import changes about the model's behaviour: sampling ops imported as their
  // mean (RandomNormalLike), float64 inputs taken as float32.
  std::vector<std::string> notes;
};
Result<OnnxModelInfo> read_onnx_model_info(const std::string& path,
                                           const OnnxImportOptions& options = {});

// External data files the model's initializers name, relative to the model's folder
// (validated: relative, inside the folder), without repeats.
Result<std::vector<std::string>> onnx_external_data_files(const std::string& path,
                                                          const OnnxImportOptions& options = {});

// ONNX op types (default domain) the importer translates, sorted.
std::vector<std::string> onnx_supported_ops();

}  // namespace toonbox::onnx_import
