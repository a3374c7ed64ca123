// One way in for a model file: which format a path holds and the importer for it, so the
// pipeline, `toonbox run`, `models import|info` and the server never repeat the
// extension checks (or disagree about them).
#pragma once

#include <string>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox {

struct ModelFile {
  std::string format;  // "onnx" or "tfjs"
  std::string entry;   // the file the importer opens (a folder's model.json, or the path)
};

// "onnx" for a .onnx file; "tfjs" for a folder holding model.json or a .json file.
// Anything else is an error naming the path and the formats toonbox reads (a TensorFlow
// .pb, a PyTorch .pth/.pt or a Keras .h5 is named as such: they are not among them, and a
// pickle is never opened).
Result<ModelFile> identify_model_file(const std::string& path);

// identify_model_file, then the importer for its format.
Result<Graph> import_model_file(const std::string& path);

}  // namespace toonbox
