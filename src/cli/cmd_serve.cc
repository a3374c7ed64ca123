// toonbox serve [--host 127.0.0.1] [--port 7860] [--device ...] [--model ...] [--token T] ...
// Runs the HTTP API and web page until SIGTERM/SIGINT, then drains and exits 0.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_help.h"
#include "engine/device_faults.h"
#include "engine/device_list.h"
#include "engine/device_select.h"
#include "server/security.h"
#include "server/server.h"

namespace toonbox::cli {

namespace {
constexpr size_t kMinTokenLength = 12;
}  // namespace

namespace {

// The synopsis; the option list under it is generated from serve_options()
// (option_help.h).
constexpr const char* kSynopsis =
    "usage: toonbox serve [options]\n"
    "\n"
    "A local web page and REST API (docs/http-api.md). Stops on SIGTERM or Ctrl-C after\n"
    "finishing the requests in progress.\n"
    "\n";

std::string usage() { return kSynopsis + option_list(serve_options()); }

bool to_int(const ParsedArgs& a, const char* name, long lo, long hi, long* out) {
  if (!a.has(name)) return true;
  const std::string v = a.get(name);
  char* end = nullptr;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || x < lo || x > hi) {
    std::fprintf(stderr, "toonbox serve: %s must be an integer from %ld to %ld, got '%s'\n", name, lo, hi,
                 v.c_str());
    return false;
  }
  *out = x;
  return true;
}

}  // namespace

// The options, also for `toonbox completion` and the option list of --help.
std::vector<ArgSpec> serve_options() {
  return {{"--host", true, "", false, "H",
           "address to listen on (default 127.0.0.1); any address that is\nnot loopback requires a token"},
          {"--port", true, "", false, "N", "port (default 7860; 0 picks a free one)"},
          {"--token", true, "", false, "T",
           "access token for the API, at least 12 characters (default:\n$TOONBOX_TOKEN; generated and printed when the host is not loopback)"},
          {"--device", true, "", false, "D",
           "auto (default), cpu, cuda or cuda:N; a list (cuda:0,1, cuda:all,\ncpu,cpu) runs one worker per device behind one queue; a device\n"
           "that fails is taken out of rotation (docs/scaling.md)"},
          {"--precision", true, "", false, "P", "default precision: auto (fp16 on GPU, fp32 on CPU), fp32, tf32, fp16"},
          {"--model", true, "", false, "NAME|PATH",
           "default model (default: the first installed of whitebox,\nwhitebox-uint8 and animeganv3-cute, else 'classic')"},
          {"--streams", true, "", false, "N",
           "workers per GPU, each with its own CUDA stream and plans, so\none's copies and host work overlap another's compute (default 2)"},
          {"--queue-size", true, "", false, "N", "images waiting per device worker before 429 (default 16)"},
          {"--max-batch", true, "", false, "N", "same-shape images run as one batched device call, at most N\n(default 8)"},
          {"--batch-wait-ms", true, "", false, "N", "how long a batch waits for more (default 2)"},
          {"--request-timeout-s", true, "", false, "N", "limit for one image request, queue included (default 120)"},
          {"--max-body-mb", true, "", false, "N", "request body limit in MiB (default 50)"},
          {"--max-pixels", true, "", false, "N", "image size limit, checked from the header (default 50000000)"},
          {"--threads", true, "", false, "N", "request handler threads (default 64; connections need no thread)"},
          {"--max-connections", true, "", false, "N", "open client connections at most (default 4096, within the fd limit)"},
          {"--max-request-mb", true, "", false, "N",
           "estimated peak memory of one request, from the image header;\nlarger images are refused with 413 (default 1536)"},
          {"--memory-budget-mb", true, "", false, "N",
           "memory all requests may reserve together; beyond it 429\n(default: half of the available memory, at most 8192)"},
          {"--tile-size", true, "", false, "N",
           "images larger than N px a side run in tiles of N (default 1024;\n0 lets the pipeline decide from free memory)"},
          {"--help", false, "-h"}};
}

int cmd_serve(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, serve_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox serve: %s\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", usage().c_str());
    return kExitOk;
  }
  if (!a.positional.empty()) {
    std::fprintf(stderr, "toonbox serve: unexpected argument '%s'\n%s", a.positional[0].c_str(), usage().c_str());
    return kExitUsage;
  }

  server::ServerConfig config;
  config.host = a.get("--host", "127.0.0.1");
  config.requested_device = a.get("--device", "auto");
  config.default_model = a.get("--model");
  long port = 7860, queue = 16, batch = 8, wait_ms = 2, timeout = 120, body_mb = 50, threads = 64;
  long max_connections = 4096, request_mb = 1536, budget_mb = 0, tile = 1024;
  long max_pixels = 50'000'000, streams = engine::kDefaultGpuStreams;
  if (!to_int(a, "--port", 0, 65535, &port) || !to_int(a, "--queue-size", 1, 100000, &queue) ||
      !to_int(a, "--max-batch", 1, 1024, &batch) || !to_int(a, "--batch-wait-ms", 0, 10000, &wait_ms) ||
      !to_int(a, "--request-timeout-s", 1, 86400, &timeout) ||
      !to_int(a, "--max-body-mb", 1, 4096, &body_mb) || !to_int(a, "--max-pixels", 1, 1'000'000'000, &max_pixels) ||
      !to_int(a, "--threads", 4, 1024, &threads) || !to_int(a, "--max-connections", 16, 1 << 20, &max_connections) ||
      !to_int(a, "--max-request-mb", 16, 1 << 20, &request_mb) ||
      !to_int(a, "--memory-budget-mb", 16, 1 << 24, &budget_mb) || !to_int(a, "--tile-size", 0, 65536, &tile) ||
      !to_int(a, "--streams", 1, engine::kMaxGpuStreams, &streams))
    return kExitUsage;
  config.connection.max_connections = static_cast<int>(max_connections);
  config.max_request_bytes = static_cast<size_t>(request_mb) << 20;
  config.memory_budget_bytes = static_cast<size_t>(budget_mb) << 20;
  config.scheduler.tile_size = static_cast<int>(tile);
  config.port = static_cast<int>(port);
  config.scheduler.queue_capacity = static_cast<int>(queue);
  config.scheduler.max_batch = static_cast<int>(batch);
  config.scheduler.max_wait_ms = static_cast<int>(wait_ms);
  config.request_timeout_s = static_cast<int>(timeout);
  config.max_body_bytes = static_cast<size_t>(body_mb) << 20;
  config.max_pixels = max_pixels;
  config.http_threads = static_cast<int>(threads);

  config.token = a.get("--token");
  if (config.token.empty() && std::getenv("TOONBOX_TOKEN")) config.token = std::getenv("TOONBOX_TOKEN");
  for (char c : config.token) {
    if (c <= ' ' || c > '~' || c == ';' || c == ',' || c == '"' || c == '\\') {
      std::fprintf(stderr, "toonbox serve: --token may hold only printable ASCII without spaces, ';', ',', '\"' or '\\'\n");
      return kExitUsage;
    }
  }
  // A short token can be guessed by trying; generated ones have 64 hex characters.
  if (!config.token.empty() && config.token.size() < kMinTokenLength) {
    std::fprintf(stderr, "toonbox serve: --token must have at least %zu characters (got %zu); leave it out to have "
                 "one generated\n", kMinTokenLength, config.token.size());
    return kExitUsage;
  }
  bool generated = false;
  if (config.token.empty() && !server::is_loopback_host(config.host)) {
    auto token = server::generate_token();
    if (!token.is_ok()) {
      std::fprintf(stderr, "toonbox serve: %s\n", token.status().message().c_str());
      return kExitFailure;
    }
    config.token = token.value();
    generated = true;
  }

  // Signals go to one thread that waits for them; every other thread (HTTP, device
  // worker, OpenMP) inherits the blocked mask, so a SIGTERM never lands mid-request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // One worker per entry of a device list (cuda:0,1, cuda:all, cpu,cpu), behind one queue.
  auto names = engine::expand_device_list(config.requested_device);
  if (!names.is_ok()) {
    std::fprintf(stderr, "toonbox serve: %s\n", names.status().message().c_str());
    return exit_code_for(names.status());
  }
  auto selected = engine::select_devices(names.value(), a.get("--precision", "auto"));
  auto devices = selected.is_ok() ? engine::with_gpu_streams(selected.value(), static_cast<int>(streams))
                                  : Result<std::vector<engine::DeviceSelection>>(selected.status());
  if (!devices.is_ok()) {
    std::fprintf(stderr, "toonbox serve: %s\n", devices.status().message().c_str());
    return exit_code_for(devices.status());
  }
  if (const char* rules = std::getenv(engine::kTestDeviceVariable)) config.device_faults = rules;
  server::Server srv(config, devices.value());
  std::string note;
  Status started = srv.start(&note);
  if (!started.is_ok()) {
    std::fprintf(stderr, "toonbox serve: %s\n", started.message().c_str());
    return kExitFailure;
  }
  if (!note.empty()) std::printf("note: %s\n", note.c_str());
  std::printf("device: %s\n", srv.status_line().c_str());
  const std::vector<std::string> lines = srv.device_lines();
  if (lines.size() > 1)
    for (const std::string& line : lines) std::printf("  %s\n", line.c_str());
  if (!config.token.empty()) {
    std::printf("token: %s%s\n", config.token.c_str(), generated ? " (generated; pass --token to choose one)" : "");
    std::printf("open %s?token=%s in a browser once; API clients send 'Authorization: Bearer <token>'\n",
                srv.url().c_str(), config.token.c_str());
  }
  std::printf("listening on %s\n", srv.url().c_str());
  std::printf("stop with Ctrl-C or SIGTERM (requests in progress are finished first)\n");
  std::fflush(stdout);

  // The main thread drains; the signal thread stays to force an exit on a second signal.
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  std::thread([&, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "toonbox serve: %s: draining (finishing requests in progress; again to force)\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
    sigwait(&signals, &sig);
    std::fprintf(stderr, "toonbox serve: second signal: exiting without draining\n");
    std::_Exit(kExitFailure);
  }).detach();
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return stop; });
  }
  srv.shutdown();
  std::printf("stopped\n");
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace toonbox::cli
