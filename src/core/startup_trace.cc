#include "core/startup_trace.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace toonbox {
namespace {

struct StartupTrace {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool on = [] {
    const char* v = std::getenv("TOONBOX_TRACE_STARTUP");
    return v != nullptr && v[0] != '\0' && v[0] != '0';
  }();
};

StartupTrace& trace() {
  static StartupTrace t;
  return t;
}

// Registered during static initialization, so it runs after the handlers and static
// destructors of everything set up later (the CUDA runtime registers its teardown when
// it first initializes).
[[maybe_unused]] const bool kExitMarkRegistered = [] {
  if (trace().on) std::atexit([] { startup_mark("exit handlers and destructors done"); });
  return true;
}();

}  // namespace

void startup_mark(const char* what) {
  const StartupTrace& t = trace();
  if (!t.on) return;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t.start).count();
  std::fprintf(stderr, "[startup] +%.1f ms %s\n", ms, what);
}

}  // namespace toonbox
