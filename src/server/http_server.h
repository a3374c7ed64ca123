// cpp-httplib's Server with toonbox's connection handling: total deadlines for reading a
// request's headers and body (a per-read timeout alone lets a client that sends one byte
// every few seconds hold a thread forever), a way for handlers to see whether their client
// has gone, and draining (idle keep-alive connections close at once; a request being
// handled finishes and gets its response).
//
// cpp-httplib 0.11 (Debian 12) has no Request::is_connection_closed and does not expose
// the socket to handlers, so this class runs each connection itself: it overrides the
// virtual process_and_close_socket and drives the protected process_request with its own
// Stream, keeping the socket in a thread-local for the handler that runs on that thread.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>

namespace toonbox::server {

struct ConnectionLimits {
  int header_timeout_s = 10;  // request line and headers, in total
  int body_timeout_s = 60;    // the body, in total
  int idle_timeout_s = 5;     // between requests on a kept-alive connection
  int write_timeout_s = 30;   // per write of the response
  size_t keep_alive_max = 100;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(ConnectionLimits limits);

  // Stop reading new requests on kept-alive connections; the request being handled on
  // each connection completes. Call before stop().
  void begin_drain() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  // For code running inside a handler (on the connection's thread):
  // the client closed its end of the connection (EOF or reset) while we worked.
  static bool client_disconnected();
  // a header/body deadline ran out while reading this request ("" if not), for the
  // error handler to answer 408 instead of httplib's 400.
  static std::string read_timeout_phase();
  // close the connection after this response (used when a request is refused before
  // its body has been read, so the unread body is not taken for the next request).
  static void close_after_response();
  // When the current request's first byte arrived (for the latency metric).
  static std::chrono::steady_clock::time_point request_started();

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool wait_for_request(socket_t sock, bool first) const;

  ConnectionLimits limits_;
  std::atomic<bool> draining_{false};
};

}  // namespace toonbox::server
