#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace toonbox::server {

namespace {

using Clock = std::chrono::steady_clock;

// Rounded up, so a poll that times out has really reached the deadline.
int ms_until(Clock::time_point t) {
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 1 << 30));
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                      : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// A socket stream whose reads obey a deadline per phase of the request.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(int fd, const ConnectionLimits& limits) : fd_(fd), limits_(limits) {}

  void start_request() {
    started_ = Clock::now();
    phase_ = "headers";
    deadline_ = Clock::now() + std::chrono::seconds(limits_.header_timeout_s);
    timed_out_phase_.clear();
    close_after_ = false;
  }
  void headers_done() {
    phase_ = "body";
    deadline_ = Clock::now() + std::chrono::seconds(limits_.body_timeout_s);
  }
  const std::string& timed_out_phase() const { return timed_out_phase_; }
  Clock::time_point started() const { return started_; }
  void set_close_after() { close_after_ = true; }
  bool close_after() const { return close_after_; }

  bool client_gone() const {
    pollfd p{fd_, static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP)) return true;
    if (p.revents & POLLIN) {
      char c;
      const ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }
    return false;
  }

  bool is_readable() const override {
    return buffered() > 0 || wait(POLLIN, std::min(ms_until(deadline_), limits_.idle_timeout_s * 1000));
  }
  bool is_writable() const override { return wait(POLLOUT, limits_.write_timeout_s * 1000); }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered() == 0) {
      if (!wait(POLLIN, ms_until(deadline_))) {
        if (Clock::now() >= deadline_) timed_out_phase_ = phase_;
        return -1;
      }
      ssize_t n;
      do {
        n = recv(fd_, buf_, sizeof buf_, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t take = std::min(size, buffered());
    std::memcpy(ptr, buf_ + begin_, take);
    begin_ += take;
    return static_cast<ssize_t>(take);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  size_t buffered() const { return end_ - begin_; }
  bool wait(short events, int timeout_ms) const {
    pollfd p{fd_, events, 0};
    int rc;
    do {
      rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 && (p.revents & (events | POLLHUP | POLLERR));
  }

  int fd_;
  const ConnectionLimits& limits_;
  const char* phase_ = "headers";
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point started_ = Clock::now();
  std::string timed_out_phase_;
  bool close_after_ = false;
  char buf_[4096];
  size_t begin_ = 0, end_ = 0;
};

thread_local GuardedStream* t_stream = nullptr;

struct StreamScope {
  explicit StreamScope(GuardedStream* s) { t_stream = s; }
  ~StreamScope() { t_stream = nullptr; }
};

}  // namespace

HttpServer::HttpServer(ConnectionLimits limits) : limits_(limits) {
  set_keep_alive_max_count(std::max<size_t>(1, limits_.keep_alive_max));
  set_keep_alive_timeout(limits_.idle_timeout_s);
  set_read_timeout(limits_.header_timeout_s, 0);
  set_write_timeout(limits_.write_timeout_s, 0);
}

bool HttpServer::client_disconnected() { return t_stream && t_stream->client_gone(); }

std::string HttpServer::read_timeout_phase() {
  return t_stream ? t_stream->timed_out_phase() : std::string();
}

void HttpServer::close_after_response() {
  if (t_stream) t_stream->set_close_after();
}

std::chrono::steady_clock::time_point HttpServer::request_started() {
  return t_stream ? t_stream->started() : Clock::now();
}

bool HttpServer::wait_for_request(socket_t sock, bool first) const {
  // A connection accepted just before a drain still gets its first request answered.
  const auto end = Clock::now() + std::chrono::seconds(first ? std::max(1, limits_.idle_timeout_s)
                                                             : limits_.idle_timeout_s);
  for (;;) {
    if (draining_.load() && !first) return false;
    pollfd p{sock, POLLIN, 0};
    const int rc = poll(&p, 1, std::min(50, ms_until(end)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
    if (Clock::now() >= end) return false;
  }
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  bool unread_body = false;
  {
    GuardedStream strm(sock, limits_);
    StreamScope scope(&strm);
    bool first = true;
    for (size_t left = limits_.keep_alive_max; left > 0; --left, first = false) {
      if (!wait_for_request(sock, first)) break;
      strm.start_request();
      bool closed = false;
      ret = process_request(strm, left == 1 || draining_.load(), closed,
                            [&](httplib::Request&) { strm.headers_done(); });
      unread_body = strm.close_after();
      if (!ret || closed || unread_body || draining_.load()) break;
    }
  }
  if (unread_body) {
    // A request refused before its body was read: closing now, with the client's bytes
    // unread, makes the kernel send a reset that can destroy our answer before the client
    // reads it. Lingering close: stop sending, read and discard for a short while.
    ::shutdown(sock, SHUT_WR);
    const auto end = Clock::now() + std::chrono::seconds(2);
    char sink[16384];
    for (;;) {
      pollfd p{sock, POLLIN, 0};
      if (poll(&p, 1, std::max(1, ms_until(end))) <= 0) break;
      if (recv(sock, sink, sizeof sink, 0) <= 0) break;
    }
  } else {
    ::shutdown(sock, SHUT_RDWR);
  }
  ::close(sock);
  return ret;
}

}  // namespace toonbox::server
