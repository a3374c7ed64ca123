// Helpers for the server tests: a backend wrapper that can hold the device worker at a
// gate, inject failures (a CUDA out-of-memory without a GPU) and count compiles and runs;
// a server started in-process on an ephemeral loopback port with the built-in style on
// the CPU; small images; a raw socket for what httplib::Client cannot do (hang up, send
// half a request).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "backend/cpu/cpu_backend.h"
#include "image/image_io.h"
#include "server/server.h"

namespace toonbox::server_test {

// Shared state between a test and the HookBackend's executables.
struct Hooks {
  std::mutex mutex;
  std::condition_variable cv;
  bool gate_closed = false;
  int blocked = 0;   // runs waiting at the gate now
  int runs = 0;      // Executable::run calls (including injected failures)
  int compiles = 0;  // Backend::compile calls
  std::deque<Status> inject;  // returned by the next runs instead of running
  std::vector<int64_t> run_batches;  // dim 0 of the input of every run, in order

  void close_gate() {
    std::lock_guard<std::mutex> lock(mutex);
    gate_closed = true;
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      gate_closed = false;
    }
    cv.notify_all();
  }
  // Waits until `n` runs are held at the gate.
  bool wait_blocked(int n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return blocked >= n; });
  }
  int run_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return runs;
  }
  int compile_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return compiles;
  }
  std::vector<int64_t> batches() {
    std::lock_guard<std::mutex> lock(mutex);
    return run_batches;
  }
};

class HookExecutable : public backend::Executable {
 public:
  HookExecutable(std::unique_ptr<backend::Executable> inner, std::shared_ptr<Hooks> hooks)
      : inner_(std::move(inner)), hooks_(std::move(hooks)) {}
  Status run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
             backend::RunTimings* t) override {
    {
      std::unique_lock<std::mutex> lock(hooks_->mutex);
      ++hooks_->runs;
      hooks_->run_batches.push_back(inputs.empty() ? 0 : inputs[0].dim(0));
      if (!hooks_->inject.empty()) {
        Status s = hooks_->inject.front();
        hooks_->inject.pop_front();
        return s;
      }
      ++hooks_->blocked;
      hooks_->cv.notify_all();
      hooks_->cv.wait(lock, [&] { return !hooks_->gate_closed; });
      --hooks_->blocked;
    }
    return inner_->run(inputs, outputs, t);
  }
  size_t arena_bytes() const override { return inner_->arena_bytes(); }

 private:
  std::unique_ptr<backend::Executable> inner_;
  std::shared_ptr<Hooks> hooks_;
};

// The CPU backend behind hooks; optionally dressed up as a GPU (fp16 accepted, computed
// in fp32) to test what the server says about GPUs.
class HookBackend : public backend::Backend {
 public:
  HookBackend(std::shared_ptr<Hooks> hooks, bool fake_gpu)
      : inner_(cpu::create_cpu_backend()), hooks_(std::move(hooks)), fake_gpu_(fake_gpu) {
    device_ = inner_->device();
    if (fake_gpu) {
      device_.id = "cuda:0";
      device_.label = "Fake GPU (sm_90, 8 GiB)";
    }
  }
  const backend::DeviceDescription& device() const override { return device_; }
  bool supports(Precision p) const override { return fake_gpu_ || p == Precision::kFloat32; }
  std::string unsupported_reason(const graph::Graph& g, const graph::Node& n,
                                 Precision) const override {
    return inner_->unsupported_reason(g, n, Precision::kFloat32);
  }
  Result<std::unique_ptr<backend::Executable>> compile(const graph::Graph& g,
                                                       const backend::CompileOptions&) override {
    {
      std::lock_guard<std::mutex> lock(hooks_->mutex);
      ++hooks_->compiles;
    }
    TB_ASSIGN_OR_RETURN(std::unique_ptr<backend::Executable> exe,
                        inner_->compile(g, backend::CompileOptions{Precision::kFloat32}));
    return std::unique_ptr<backend::Executable>(new HookExecutable(std::move(exe), hooks_));
  }

 private:
  std::unique_ptr<backend::Backend> inner_;
  std::shared_ptr<Hooks> hooks_;
  bool fake_gpu_;
  backend::DeviceDescription device_;
};

// A test image with structure (gradients and a block), encoded as PNG.
inline image::Image test_image(int w, int h) {
  image::Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * w + x) * 3];
      const bool block = x > w / 3 && x < 2 * w / 3 && y > h / 3 && y < 2 * h / 3;
      p[0] = static_cast<uint8_t>(block ? 30 : 255 * x / std::max(1, w - 1));
      p[1] = static_cast<uint8_t>(block ? 40 : 255 * y / std::max(1, h - 1));
      p[2] = static_cast<uint8_t>(block ? 200 : 120);
    }
  return img;
}

inline std::string png_bytes(const image::Image& img) {
  auto bytes = image::encode_image(img, image::EncodeOptions{image::ImageFormat::kPng, 92});
  EXPECT_TRUE(bytes.is_ok());
  return std::string(bytes->begin(), bytes->end());
}

inline std::string png_bytes(int w, int h) { return png_bytes(test_image(w, h)); }

inline Result<image::Image> decode_bytes(const std::string& bytes) {
  return image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                             image::DecodeOptions{});
}

inline nlohmann::json json_of(const httplib::Result& r) {
  if (!r) return nlohmann::json();
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

inline std::string error_message(const httplib::Result& r) {
  auto j = json_of(r);
  if (!j.is_object() || !j.contains("error")) return "<no JSON error body: " + (r ? r->body.substr(0, 200) : std::string("no response")) + ">";
  return j["error"].value("message", "");
}

// Points TOONBOX_MODELS at `dir` (a fresh empty folder when "") for its lifetime, so a
// test sees exactly the models it installed, never the user's.
class ScopedModelsDir {
 public:
  explicit ScopedModelsDir(std::string dir = "") {
    if (const char* old = std::getenv("TOONBOX_MODELS")) saved_ = old, had_ = true;
    if (dir.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "toonbox-models-XXXXXX").string();
      if (::mkdtemp(tmpl.data())) dir = owned_ = tmpl;
    }
    ::setenv("TOONBOX_MODELS", dir.c_str(), 1);
  }
  ~ScopedModelsDir() {
    if (had_) ::setenv("TOONBOX_MODELS", saved_.c_str(), 1); else ::unsetenv("TOONBOX_MODELS");
    std::error_code ec;
    if (!owned_.empty()) std::filesystem::remove_all(owned_, ec);
  }

 private:
  std::string saved_, owned_;
  bool had_ = false;
};

// A server on 127.0.0.1 and a free port, the built-in style, a HookBackend per device
// (`devices` of them, like `--device cpu,cpu`; device_hooks[k] is worker k's, hooks the
// first's), and an empty models folder unless `models_dir` names one.
class ServerHarness {
 public:
  explicit ServerHarness(server::ServerConfig config = {}, bool fake_gpu = false,
                         const std::string& models_dir = "", int devices = 1)
      : models(models_dir), hooks(std::make_shared<Hooks>()) {
    config.host = "127.0.0.1";
    config.port = 0;
    config.default_model = "classic";
    config.http_threads = std::max(config.http_threads, 8);
    std::vector<engine::DeviceSelection> selections;
    for (int k = 0; k < devices; ++k) {
      device_hooks.push_back(k == 0 ? hooks : std::make_shared<Hooks>());
      engine::DeviceSelection device;
      device.backend = std::make_shared<HookBackend>(device_hooks.back(), fake_gpu);
      device.is_gpu = fake_gpu;
      device.precision = fake_gpu ? Precision::kFloat16 : Precision::kFloat32;
      device.reason = fake_gpu ? "auto: GPU available" : "no NVIDIA driver: libcuda.so.1 not found";
      selections.push_back(std::move(device));
    }
    server = std::make_unique<server::Server>(config, selections);
    Status s = server->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~ServerHarness() {
    for (auto& h : device_hooks) h->open_gate();
    server->shutdown();
  }

  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    c->set_read_timeout(60, 0);
    return c;
  }

  httplib::Result cartoonize(const std::string& image, const std::string& query = "",
                             const httplib::Headers& headers = {}) const {
    httplib::MultipartFormDataItems items = {{"image", image, "photo.png", "image/png"}};
    return client()->Post(("/api/v1/cartoonize" + query).c_str(), headers, items);
  }

  int port() const { return server->port(); }

  ScopedModelsDir models;
  std::shared_ptr<Hooks> hooks;
  std::vector<std::shared_ptr<Hooks>> device_hooks;
  std::unique_ptr<server::Server> server;
};

// A plain TCP connection to the server, for hanging up and sending partial requests.
class RawSocket {
 public:
  explicit RawSocket(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawSocket() { close(); }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool send_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Everything until the server closes or `timeout` passes.
  std::string read_all(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A complete multipart POST /api/v1/cartoonize request as raw bytes.
inline std::string raw_cartoonize_request(const std::string& image, int port) {
  const std::string boundary = "----toonboxtestboundary";
  std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                     "Content-Type: image/png\r\n\r\n" + image + "\r\n--" + boundary + "--\r\n";
  return "POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A request that must be refused: its query string, the status and words of the answer.
struct Refusal {
  std::string query;
  int status;
  std::string says;
};

// Sends each refusal's query with `send` and checks the status and the error message.
template <typename Send>
void expect_refusals(const std::vector<Refusal>& cases, Send send) {
  for (const Refusal& c : cases) {
    auto r = send(c.query);
    ASSERT_TRUE(r) << c.query;
    EXPECT_EQ(r->status, c.status) << c.query << ": " << r->body;
    EXPECT_NE(error_message(r).find(c.says), std::string::npos) << c.query << ": " << error_message(r);
  }
}

// Polls `pred` until true or the timeout.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace toonbox::server_test
