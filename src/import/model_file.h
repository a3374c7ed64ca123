// One way in for a model file: which format a path holds and the importer for it, so the
// pipeline, `toonbox run`, `models import|info` and the server never repeat the
// extension checks (or disagree about them).
#pragma once

#include <string>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::import {

struct ModelFile {
  std::string format;   // "onnx", "tfjs" or "ncnn"
  std::string entry;    // the file the importer opens (a folder's model.json, or the path)
  std::string weights;  // ncnn: the .bin with the weights; empty otherwise
};

// "onnx" for a .onnx file; "tfjs" for a folder holding model.json or a .json file; "ncnn"
// for a .param or .param.bin, with its weights: `weights` when given, else X.bin beside
// X.param, else the only .bin in its folder (an error names the choices when there are
// several). Anything else is an error naming the path and the formats toonbox reads (a
// TensorFlow .pb, a PyTorch .pth/.pt or a Keras .h5 is named as such: they are not among
// them, and a pickle is never opened).
Result<ModelFile> identify_model_file(const std::string& path, const std::string& weights = "");

// The importer for the file's format.
Result<graph::Graph> import_model_file(const ModelFile& file);
// identify_model_file, then import_model_file.
Result<graph::Graph> import_model_file(const std::string& path);

}  // namespace toonbox::import
