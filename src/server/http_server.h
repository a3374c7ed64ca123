// toonbox's HTTP/1.1 server: one event-loop thread on epoll does every socket's reading
// and writing, and handlers run on a pool of worker threads. It replaces cpp-httplib
// (thread per connection), under which 40 idle connections delayed /health/live by 4 s,
// 500 slow ones starved the server, and a multipart parse error left a connection open
// with the rest of its body read as new requests (docs/http-api.md, "Connections").
//
// A connection costs a few KiB and no thread until its request is complete, so slow or
// idle clients are cheap. What bounds them:
//  - deadlines per phase, in total (not per read): the head, the body, the time between
//    requests on a kept-alive connection, and progress while writing the response;
//  - a cap on open connections; at the cap a new connection displaces the oldest one that
//    has not yet sent a complete request head (fair accept: a flood of slow connections
//    cannot lock out a new client), or is refused with 503 when every slot is working;
//  - a cap on requests in the worker pool; past it a request is answered 429 at once;
//  - keep-alive: at most keep_alive_max requests per connection.
// Framing is exact: the body is Content-Length bytes (Transfer-Encoding is refused with
// 411); any request the parser cannot read is answered 400 and its connection closed;
// a request refused before its body was read closes its connection too (lingering, so
// the answer is not destroyed by a reset).
//
// Cheap routes (health checks, static files) can run on the event loop itself, so they
// answer in microseconds however busy the workers are.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "server/http_message.h"
#include "server/http_parse.h"

namespace toonbox::server {

struct ConnectionLimits {
  int header_timeout_s = 10;  // request line and headers, in total
  int body_timeout_s = 60;    // the body, in total
  int idle_timeout_s = 5;     // between requests on a kept-alive connection
  int write_timeout_s = 30;   // without progress while writing a response
  size_t keep_alive_max = 100;
  int max_connections = 4096;  // lowered to what RLIMIT_NOFILE allows
  HeadLimits head;
};

class HttpServer {
 public:
  struct Handlers {
    // On the event loop, after the head and before the body is read: fill `res` and
    // return true to answer at once (a refusal; the connection then closes if a body was
    // announced). Must not block.
    std::function<bool(const Request&, Response&)> on_head;
    // Whether the request may run on the event loop (cheap, never blocks).
    std::function<bool(const Request&)> runs_inline;
    // The request, complete (body read, multipart parsed).
    std::function<void(Request&, Response&)> handle;
    // After the response is ready; seconds since the request's first byte.
    std::function<void(const Request&, const Response&, double seconds)> log;
  };

  HttpServer(ConnectionLimits limits, int worker_threads, size_t max_body_bytes, Headers default_headers,
             Handlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (SO_REUSEADDR only: never SO_REUSEPORT, so a second server on a
  // port in use fails instead of sharing it). Port 0 picks a free one. Returns the port.
  Result<int> listen(const std::string& host, int port);
  // Starts the event loop and the workers.
  void start();
  // Draining: every response says "Connection: close", idle kept-alive connections close,
  // the listening socket stays open (new requests get their answer, e.g. 503 from
  // on_head) until stop().
  void begin_drain();
  // Waits for requests being handled and responses being written, then closes everything
  // and joins the threads. Idempotent.
  void stop();

  bool draining() const { return draining_.load(); }
  int open_connections() const { return open_connections_.load(); }
  int max_connections() const { return limits_.max_connections; }

  // For code running inside a handler (on its worker thread):
  // the client closed its end of the connection (EOF or reset) while we worked.
  static bool client_disconnected();
  // close the connection after this response.
  static void close_after_response();
  // When the current request's first byte arrived (for the latency metric).
  static std::chrono::steady_clock::time_point request_started();

  // Shared between a connection and the handler working for it.
  struct RequestContext {
    std::atomic<bool> client_gone{false};
    std::atomic<bool> close_after{false};
    std::chrono::steady_clock::time_point started;
  };

 private:
  struct Connection;
  struct Completion {
    uint64_t connection_id;
    std::unique_ptr<Request> request;
    Response response;
  };
  using Clock = std::chrono::steady_clock;

  void loop();
  void accept_new();
  bool make_room(Clock::time_point now);
  void on_readable(Connection& c);
  void on_writable(Connection& c);
  void process_input(Connection& c);
  void head_complete(Connection& c, size_t head_len);
  void body_complete(Connection& c);
  void dispatch(Connection& c);
  void finish_request(Connection& c, Request& req, Response res);
  void refuse(Connection& c, int status, const std::string& code, const std::string& message, bool close);
  void queue_response(Connection& c, const Request* req, Response res, bool close);
  void start_linger(Connection& c);
  void close_connection(uint64_t id);
  void check_deadlines(Clock::time_point now);
  void drain_completions();
  void update_events(Connection& c);
  void worker_loop();
  bool busy_connections() const;

  ConnectionLimits limits_;
  int worker_count_;
  size_t max_body_bytes_;
  Headers default_headers_;
  Handlers handlers_;

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread loop_thread_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};
  std::once_flag stop_once_;
  bool started_ = false;

  // Event-loop state (loop thread only).
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  uint64_t next_id_ = 16;
  bool drain_seen_ = false;

  // Worker pool.
  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> work_;
  std::vector<std::thread> workers_;
  bool workers_stop_ = false;
  std::atomic<int> in_pool_{0};  // requests queued or running in the pool

  // Finished handlers' responses, for the loop.
  std::mutex done_mutex_;
  std::vector<Completion> done_;
};

}  // namespace toonbox::server
