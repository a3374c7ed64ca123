#include "cli/stop_signals.h"

#include <signal.h>

namespace toonbox::cli {

namespace {

std::atomic<bool> g_stop{false};
volatile sig_atomic_t g_signal = 0;
struct sigaction g_old_int {
}, g_old_term{};

void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop = false;
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESETHAND;  // the second signal takes the default action: exit now
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>* StopSignals::flag() { return &g_stop; }
int StopSignals::signal() { return static_cast<int>(g_signal); }

}  // namespace toonbox::cli
