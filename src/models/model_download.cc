#include "models/model_download.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/sha256.h"
#include "import/ncnn/ncnn_importer.h"
#include "models/http_download.h"
#include "models/model_sources.h"

namespace fs = std::filesystem;

namespace toonbox::models {

namespace {

// Held while a download runs, so two toonbox processes never write the same .part files.
class StagingLock {
 public:
  ~StagingLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status acquire(const fs::path& dir, const std::string& name) {
    fd_ = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return unavailable((dir / ".lock").string() + ": cannot open");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      return unavailable("another toonbox is downloading '" + name + "' into " + dir.string() + "; wait for it");
    return Status::ok();
  }

 private:
  int fd_ = -1;
};

const FileSource* source_of(const ModelSource* source, const std::string& file) {
  if (!source) return nullptr;
  for (const FileSource& f : source->files)
    if (f.file == file) return &f;
  return nullptr;
}

// --from DIR: the registry's name, else the upstream file's name (realesr-animevideov3-x4.bin
// is the registry's realesr-animevideov3.bin), so a folder of either works.
Result<fs::path> local_file(const fs::path& dir, const std::string& file, const FileSource* source) {
  std::error_code ec;
  if (fs::is_regular_file(dir / file, ec)) return dir / file;
  std::string upstream_name;
  if (source) {
    upstream_name = source->url.substr(source->url.find_last_of('/') + 1);
    upstream_name = upstream_name.substr(0, upstream_name.find('?'));
    if (!upstream_name.empty() && fs::is_regular_file(dir / upstream_name, ec)) return dir / upstream_name;
  }
  return not_found((dir / file).string() + ": missing" +
                   (upstream_name.empty() || upstream_name == file ? "" : " (nor " + upstream_name + ")") +
                   "; --from needs every file of the model");
}

// The weights an ncnn model's import needs named: its .bin that is not the param.
std::string ncnn_weights(const KnownModel& model, const fs::path& dir) {
  for (const KnownFile& f : model.files) {
    const std::string name = f.file;
    if (name != model.entry && name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0 &&
        !ncnn::is_ncnn_param_path(name))
      return (dir / name).string();
  }
  return "";
}

// Each file of `model` into `staging`, checked against its digest.
Status fetch_files(const KnownModel& model, const ModelSource* source, const DownloadOptions& options,
                   const fs::path& staging) {
  const bool from_network = options.from_dir.empty();
  std::error_code ec;
  for (const KnownFile& kf : model.files) {
    const fs::path target = staging / kf.file;
    const fs::path part = staging / (std::string(kf.file) + ".part");
    const FileSource* fsrc = source_of(source, kf.file);
    // A file renamed from its .part was checked then; checked again (cheap) in case
    // something touched the staging folder since.
    if (fs::is_regular_file(target, ec)) {
      auto digest = sha256_file(target.string());
      if (digest.is_ok() && digest.value() == kf.sha256) {
        if (options.note) options.note(kf.file, "already downloaded and checked");
        continue;
      }
      fs::remove(target, ec);
    }
    std::string where;  // the URL or local path, for messages
    if (!from_network) {
      TB_ASSIGN_OR_RETURN(fs::path local, local_file(options.from_dir, kf.file, fsrc));
      where = local.string();
      fs::copy_file(local, part, fs::copy_options::overwrite_existing, ec);
      if (ec) return unavailable("copying " + where + " to " + part.string() + ": " + ec.message());
    } else {
      if (!fsrc) return unimplemented(std::string("'") + model.name + "': no URL for " + kf.file);
      where = mirrored_url(fsrc->url, options.mirror);
      HttpDownloadOptions http;
      http.expected_size = fsrc->size;
      http.connect_timeout_s = options.connect_timeout_s;
      http.read_timeout_s = options.read_timeout_s;
      const std::string file = kf.file;
      if (options.progress) http.progress = [&, file](int64_t done, int64_t total) { options.progress(file, done, total); };
      if (options.note) http.note = [&, file](const std::string& line) { options.note(file, line); };
      TB_RETURN_IF_ERROR(http_download(where, part.string(), http));
    }
    TB_ASSIGN_OR_RETURN(std::string got, sha256_file(part.string()));
    if (got != kf.sha256) {
      // Not the registry's bytes: nothing of this attempt is kept (a resumed .part whose
      // start was wrong would fail again).
      fs::remove_all(staging, ec);
      return data_loss(where + ": sha256 mismatch for " + kf.file + ": expected " + kf.sha256 + ", got " + got +
                       "; the download was deleted");
    }
    fs::rename(part, target, ec);
    if (ec) return unavailable("renaming " + part.string() + ": " + ec.message());
    if (options.note) options.note(kf.file, "sha256 " + got + " matches");
  }

  return Status::ok();
}

// After a failed attempt: the staging folder stays only when it holds bytes a rerun can
// use (a non-empty .part, a checked file); otherwise it goes, so a 404 leaves nothing.
void remove_if_nothing_to_resume(const fs::path& staging) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(staging, ec)) {
    if (e.path().filename() == ".lock") continue;
    if (e.is_regular_file(ec) && e.file_size(ec) > 0) return;
  }
  fs::remove_all(staging, ec);
}

}  // namespace

std::string download_staging_dir(const KnownModel& model) {
  return (fs::path(models_dir()) / (std::string(".download-") + model.name)).string();
}

bool is_non_commercial(const std::string& licence) {
  std::string l = licence;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l.find("non-commercial") != std::string::npos || l.find("noncommercial") != std::string::npos ||
         l.find("by-nc") != std::string::npos;
}

Result<InstalledModel> download_model(const KnownModel& model, const DownloadOptions& options) {
  const ModelSource* source = find_model_source(model.name);
  const bool from_network = options.from_dir.empty();
  if (from_network && (!source || source->files.empty()))
    return unimplemented(std::string("'") + model.name + "' has no download URL: " +
                         (source && !source->no_download.empty() ? source->no_download
                                                                 : "no stable upstream URL is known") +
                         "; with the files in a folder: toonbox models download " + model.name + " --from DIR");
  std::error_code ec;
  if (!from_network && !fs::is_directory(options.from_dir, ec))
    return not_found(options.from_dir + ": --from needs a folder holding the model's files");

  const fs::path staging = download_staging_dir(model);
  fs::create_directories(staging, ec);
  if (ec) return unavailable(staging.string() + ": cannot create: " + ec.message());
  StagingLock lock;
  TB_RETURN_IF_ERROR(lock.acquire(staging, model.name));

  const Status fetched = fetch_files(model, source, options, staging);
  if (!fetched.is_ok()) {
    // Copies from --from are no progress worth keeping: the folder is still there.
    if (!from_network) fs::remove_all(staging, ec);
    else remove_if_nothing_to_resume(staging);
    return fetched;
  }
  ImportOptions import;
  import.name = model.name;
  if (std::string(model.format) == "ncnn") import.weights = ncnn_weights(model, staging);
  auto installed = import_model((staging / model.entry).string(), import);
  // Checked files that fail to import would fail again: the staging folder goes either way.
  fs::remove_all(staging, ec);
  return installed;
}

}  // namespace toonbox::models
