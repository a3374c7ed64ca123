// The cuDNN algorithm cache on disk, so that a new process (a cold start, the next folder
// run, a server restart) does not search again for shapes an earlier one searched.
//
// One file per GPU identity: the GPU's name and UUID, compute capability, driver, CUDA
// runtime and cuDNN versions, and the key's size are in the file's first line, and a file
// whose line differs is ignored (and rewritten by the next search), because a choice
// timed on another GPU or library is not a choice for this one. Records are appended, one
// write() each: a key (its device field zeroed: the file is already per GPU) and its
// ranked algorithms. The file is untrusted input: every record is checked (magic, counts,
// enum ranges) and reading stops at the first bad one; an unreadable or unwritable file
// only costs the searches.
//
// Where: TOONBOX_CUDA_ALGO_CACHE=DIR, or "off" to disable; by default
// $XDG_CACHE_HOME/toonbox, else $HOME/.cache/toonbox.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "backend/cuda/conv_algo_cache.h"

namespace toonbox::cuda {

// "NVIDIA H200 | GPU-6f1c... | sm 9.0 | driver 13000 | cudart 13000 | cudnn 91900 | key 120"
std::string gpu_algo_identity(int device);

class ConvAlgoDiskFile {
 public:
  // The file for `identity` in the configured folder; disabled() when there is none.
  static ConvAlgoDiskFile for_identity(const std::string& identity);
  ConvAlgoDiskFile(std::string path, std::string identity) : path_(std::move(path)), identity_(std::move(identity)) {}

  bool disabled() const { return path_.empty(); }
  const std::string& path() const { return path_; }
  // Every valid record, in file order (a later record for the same key wins).
  std::vector<std::pair<ConvAlgoKey, std::vector<ConvAlgo>>> load();
  // Best effort: a failure is ignored (the next process searches again).
  void append(const ConvAlgoKey& key, const std::vector<ConvAlgo>& ranked);

 private:
  std::string header() const;
  std::string path_, identity_;
  bool header_ok_ = false;  // load() found this identity's header: appends may follow it
};

}  // namespace toonbox::cuda
