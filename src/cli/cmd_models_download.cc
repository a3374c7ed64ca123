// toonbox models download NAME [--from DIR] [--yes] [--timeout S] [-q]: what will be fetched and under
// which licence first (stderr, so stdout keeps the result), acceptance (a question on a
// terminal, --yes otherwise), then models::download_model with a progress bar on a
// terminal (lines otherwise; nothing with -q).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/models_download.h"
#include "models/model_download.h"
#include "models/model_sources.h"
#include "models/registry.h"

namespace toonbox::cli {

namespace {

std::string size_text(int64_t bytes) {
  if (bytes <= 0) return "size unknown";
  char s[48];
  if (bytes >= 1000000)
    std::snprintf(s, sizeof s, "%.1f MB", static_cast<double>(bytes) / 1e6);
  else
    std::snprintf(s, sizeof s, "%lld bytes", static_cast<long long>(bytes));
  return s;
}

// The licence screen: what, from where, how big, which digests, which licence.
void show_plan(const models::KnownModel& k, const models::ModelSource* source, const std::string& from,
               const std::string& mirror, bool quiet) {
  const bool nc = models::is_non_commercial(k.licence);
  if (!quiet) {
    std::fprintf(stderr, "%s: %s\n  upstream: %s\n  files%s:\n", k.name, k.description, k.upstream,
                 from.empty() ? "" : (" (from " + from + ")").c_str());
    for (const models::KnownFile& f : k.files) {
      const models::FileSource* fs = nullptr;
      if (source)
        for (const auto& s : source->files)
          if (s.file == f.file) fs = &s;
      std::fprintf(stderr, "    %s (%s)\n      sha256 %s\n", f.file, size_text(fs ? fs->size : 0).c_str(), f.sha256);
      if (from.empty() && fs) std::fprintf(stderr, "      from %s\n", models::mirrored_url(fs->url, mirror).c_str());
    }
  }
  std::fprintf(stderr, "  licence: %s\n", k.licence);
  if (nc)
    std::fprintf(stderr,
                 "  NON-COMMERCIAL: these weights may not be used for commercial purposes; by accepting you agree\n"
                 "  to the licence's terms. toonbox itself does not ship them.\n");
}

// kExitOk when accepted; otherwise the exit code, having said why.
int accept_licence(const models::KnownModel& k, bool yes) {
  if (yes) return kExitOk;
  if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
    std::fprintf(stderr,
                 "toonbox models download: the licence of '%s' must be accepted; nobody can be asked here (no "
                 "terminal): pass --yes to accept it\n",
                 k.name);
    return kExitUsage;
  }
  std::fprintf(stderr, "Accept this licence and download '%s'? [y/N] ", k.name);
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  if (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes") return kExitOk;
  std::fprintf(stderr, "toonbox models download: licence not accepted; nothing downloaded\n");
  return kExitFailure;
}

// A bar on a terminal, redrawn at most 10 times a second; a line per file otherwise.
class Progress {
 public:
  Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
  ~Progress() { end_line(); }

  void update(const std::string& file, int64_t done, int64_t total) {
    if (quiet_ || !tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (file == file_ && done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    file_ = file;
    constexpr int kWidth = 30;
    std::string bar;
    if (total > 0) {
      const int filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * kWidth);
      bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, ' ') + "] ";
      char pct[16];
      std::snprintf(pct, sizeof pct, "%3d%% ", static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)));
      bar += pct;
    }
    std::fprintf(stderr, "\r  %s %s%s / %s\033[K", file.c_str(), bar.c_str(), size_text(done).c_str(),
                 size_text(total).c_str());
    drawn_ = true;
  }
  void note(const std::string& file, const std::string& line) {
    if (quiet_) return;
    end_line();
    std::fprintf(stderr, "  %s: %s\n", file.c_str(), line.c_str());
  }
  void end_line() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool quiet_, tty_;
  bool drawn_ = false;
  std::string file_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int models_download(const ParsedArgs& a) {
  auto verbosity = parse_verbosity(a);
  if (!verbosity.is_ok()) {
    std::fprintf(stderr, "toonbox models download: %s\n", verbosity.status().message().c_str());
    return kExitUsage;
  }
  const bool quiet = verbosity.value() == Verbosity::kQuiet;
  int timeout = 0;
  if (a.has("--timeout")) {
    const std::string t = a.get("--timeout");
    char* end = nullptr;
    const long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || v < 1 || v > 3600) {
      std::fprintf(stderr, "toonbox models download: --timeout takes whole seconds, 1..3600 (got '%s')\n", t.c_str());
      return kExitUsage;
    }
    timeout = static_cast<int>(v);
  }
  const std::string name = a.positional[1];
  if (models::is_reserved_model_name(name)) {
    std::printf("'%s' is built in: nothing to download\n", name.c_str());
    return kExitOk;
  }
  const models::KnownModel* k = models::find_known_model(name);
  if (!k) {
    std::fprintf(stderr,
                 "toonbox models download: no model '%s' in the registry (`toonbox models known` lists them; "
                 "`toonbox models import PATH` installs any other)\n",
                 name.c_str());
    return kExitUsage;
  }
  if (auto installed = models::find_installed_model(name); installed.is_ok()) {
    if (!quiet) std::printf("'%s' is already installed in %s\n", name.c_str(), installed->dir.c_str());
    return kExitOk;
  }
  const std::string from = a.get("--from");
  const char* mirror_env = std::getenv("TOONBOX_MODELS_MIRROR");
  const std::string mirror = mirror_env ? mirror_env : "";
  const models::ModelSource* source = models::find_model_source(name);
  if (from.empty() && (!source || source->files.empty())) {
    std::fprintf(stderr,
                 "toonbox models download: '%s' cannot be downloaded: %s\n"
                 "  with its files in a folder: toonbox models download %s --from DIR\n",
                 name.c_str(), source ? source->no_download.c_str() : "no stable upstream URL is known", name.c_str());
    return kExitFailure;
  }
  show_plan(*k, source, from, mirror, quiet);
  if (const int accepted = accept_licence(*k, a.has("--yes")); accepted != kExitOk) return accepted;

  Progress progress(quiet);
  models::DownloadOptions options;
  options.from_dir = from;
  options.mirror = mirror;
  if (a.has("--timeout")) options.read_timeout_s = timeout;
  options.progress = [&](const std::string& file, int64_t done, int64_t total) { progress.update(file, done, total); };
  options.note = [&](const std::string& file, const std::string& line) { progress.note(file, line); };
  auto installed = models::download_model(*k, options);
  progress.end_line();
  if (!installed.is_ok()) {
    std::fprintf(stderr, "toonbox models download: %s\n", installed.status().message().c_str());
    // Everything here is found while working (network, digests, missing files): exit 1.
    return kExitFailure;
  }
  if (!quiet)
    std::printf("installed '%s' into %s%s\n  licence: %s\n", installed->name.c_str(), installed->dir.c_str(),
                installed->known ? " (digests match the registry)" : "", installed->licence.c_str());
  return kExitOk;
}

}  // namespace toonbox::cli
