#include "bench/cold_start.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/timing.h"

extern char** environ;

namespace toonbox::bench {

namespace {

constexpr size_t kStderrTail = 600;

std::string file_tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.size() > kStderrTail ? "..." + s.substr(s.size() - kStderrTail) : s;
}

// True when the inotify events in `buf` name `file`.
bool names_file(const char* buf, ssize_t len, const std::string& file) {
  for (ssize_t off = 0; off < len;) {
    const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
    if (e->len > 0 && file == e->name) return true;
    off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
  }
  return false;
}

}  // namespace

ColdStart measure_cold_start(const std::string& exe, const std::vector<std::string>& args,
                             const std::string& output, int timeout_s,
                             const std::atomic<bool>* stop) {
  ColdStart r;
  r.argv.push_back(exe);
  r.argv.insert(r.argv.end(), args.begin(), args.end());
  const std::filesystem::path out_path(output);
  const std::string folder = out_path.parent_path().string(), name = out_path.filename().string();
  const std::string log = output + ".stderr";

  // Watch before spawning: a fast child must not finish before we look.
  const int watch_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (watch_fd < 0 ||
      inotify_add_watch(watch_fd, folder.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    r.error = "cannot watch " + folder + ": " + std::strerror(errno);
    if (watch_fd >= 0) close(watch_fd);
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (std::string& a : r.argv) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.error = "cannot start " + exe + ": " + std::strerror(rc);
    close(watch_fd);
    return r;
  }
  const auto deadline = t0 + std::chrono::seconds(timeout_s);
  bool written = false, exited = false, timed_out = false, interrupted = false;
  int status = 0;
  rusage usage{};
  char buf[4096] __attribute__((aligned(alignof(inotify_event))));
  while (!exited) {
    pollfd p{watch_fd, POLLIN, 0};
    poll(&p, 1, written ? 20 : 5);  // short waits: exit is only seen by polling wait4
    for (ssize_t len; (len = read(watch_fd, buf, sizeof buf)) > 0;) {
      if (!written && names_file(buf, len, name)) {
        written = true;
        r.to_output_ms = ms_since(t0);
      }
    }
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) {
      exited = true;
      r.to_exit_ms = ms_since(t0);
    } else if (std::chrono::steady_clock::now() > deadline || (stop && stop->load())) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      (stop && stop->load() ? interrupted : timed_out) = true;
      break;
    }
  }
  close(watch_fd);
  r.peak_rss_bytes = static_cast<size_t>(usage.ru_maxrss) * 1024;  // ru_maxrss is in KiB on Linux
  const std::string tail = file_tail(log);
  std::error_code ec;
  std::filesystem::remove(log, ec);
  if (interrupted) {
    r.error = "interrupted (the child was killed)";
  } else if (timed_out) {
    r.error = "no result within " + std::to_string(timeout_s) + " s (killed)";
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = (WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status))
                                 : "killed by signal " + std::to_string(WTERMSIG(status))) +
              (tail.empty() ? "" : ": " + tail);
  } else if (!written) {
    r.error = "exited 0 but never wrote " + output;
  } else {
    r.ok = true;
  }
  return r;
}

}  // namespace toonbox::bench
