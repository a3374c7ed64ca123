// Where each known model's files can be downloaded from (`toonbox models download`): one
// upstream raw-file URL per registry file, pinned to a commit or a package version so the
// bytes behind it cannot change under the registry's digest, and its size. Kept apart from
// registry.h (widely included) and keyed by the registry's names; a unit test checks that
// every known model has a source for each of its files or says why it has none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace toonbox::models {

struct FileSource {
  std::string file;  // the registry's file name (KnownFile::file); what it is saved as
  std::string url;   // http(s) URL of exactly those bytes
  int64_t size = 0;  // bytes; 0 when not known
};

struct ModelSource {
  std::string model;               // KnownModel::name
  std::vector<FileSource> files;   // empty when the files have no stable URL
  std::string no_download;         // why not, when `files` is empty
  std::string checked;             // how the URLs and digests were checked (docs/models.md)
};

// Every source (the registry's, then those of $TOONBOX_TEST_KNOWN_MODELS' test models).
const std::vector<ModelSource>& model_sources();
const ModelSource* find_model_source(const std::string& model);

// `url` as served by a mirror (TOONBOX_MODELS_MIRROR): the mirror's URL followed by the
// original's host and path, the layout `wget -x` / `wget --mirror` writes:
// https://raw.githubusercontent.com/a/b/c/f.onnx with mirror http://127.0.0.1:8000/m
// becomes http://127.0.0.1:8000/m/raw.githubusercontent.com/a/b/c/f.onnx. Empty mirror:
// the URL unchanged.
std::string mirrored_url(const std::string& url, const std::string& mirror);

}  // namespace toonbox::models
