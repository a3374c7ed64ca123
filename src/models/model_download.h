// `toonbox models download NAME`: a known model's files from their upstream URLs
// (model_sources.h), or from a local folder (--from), into a staging folder inside the
// models directory (models_dir()/.download-NAME: each file a `.part` until its sha256
// matches the registry's), then installed by import_model() — the same validation,
// manifest and folder rename as `models import` — only when every file checks. An
// interrupted download resumes from the staging folder; a digest mismatch deletes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "models/registry.h"

namespace toonbox::models {

struct DownloadOptions {
  std::string from_dir;  // take the files from this folder instead of the network
  std::string mirror;    // TOONBOX_MODELS_MIRROR (model_sources.h: mirrored_url)
  int connect_timeout_s = 30;
  int read_timeout_s = 60;
  // After each block: the file, its bytes so far, its size (0 when unknown).
  std::function<void(const std::string& file, int64_t done, int64_t total)> progress;
  // One line about a file: "resuming ...", "checked ...".
  std::function<void(const std::string& file, const std::string& line)> note;
};

// Installs `model` under its registry name. Errors: kUnimplemented when the model has no
// download URL (the reason, and --from, in the message), kNotFound for a 404 or a file
// missing from --from, kUnavailable for the network, kDataLoss for a digest mismatch
// (expected and got named; the staging folder is deleted).
Result<InstalledModel> download_model(const KnownModel& model, const DownloadOptions& options);

// Where `download_model` stages `model`'s files.
std::string download_staging_dir(const KnownModel& model);

// Whether a licence text forbids commercial use (CC BY-NC..., "non-commercial").
bool is_non_commercial(const std::string& licence);

}  // namespace toonbox::models
