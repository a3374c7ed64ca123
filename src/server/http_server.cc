#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/api_errors.h"
#include "server/multipart.h"

namespace toonbox::server {

namespace {

constexpr uint32_t kIn = EPOLLIN, kOut = EPOLLOUT, kHangUp = EPOLLRDHUP;
constexpr uint64_t kListenerId = 1;
constexpr uint64_t kWakeId = 2;
constexpr int kLingerMs = 2000;
constexpr int kTickMs = 50;
constexpr int kMaxAcceptsPerWake = 64;
constexpr size_t kReadChunk = 64 * 1024;
// A connection's reading is capped per wake so one fast uploader cannot hold the loop
// while others wait.
constexpr size_t kMaxReadPerWake = 1 << 20;

thread_local HttpServer::RequestContext* t_context = nullptr;

struct ContextScope {
  explicit ContextScope(HttpServer::RequestContext* c) { t_context = c; }
  ~ContextScope() { t_context = nullptr; }
};

std::string serialize_head(const Response& res, const Headers& defaults, bool close, size_t keep_alive_left) {
  std::string out;
  out.reserve(512);
  out += "HTTP/1.1 " + std::to_string(res.status) + " " + status_reason(res.status) + "\r\n";
  for (const auto& [k, v] : defaults)
    if (!res.has_header(k)) out += k + ": " + v + "\r\n";
  for (const auto& [k, v] : res.headers) {
    if (::strcasecmp(k.c_str(), "Connection") == 0 || ::strcasecmp(k.c_str(), "Content-Length") == 0 ||
        ::strcasecmp(k.c_str(), "Keep-Alive") == 0)
      continue;
    out += k + ": " + v + "\r\n";
  }
  if (res.status != 304 && res.status != 204 && res.status >= 200)
    out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  if (close) {
    out += "Connection: close\r\n";
  } else {
    out += "Connection: keep-alive\r\n";
    out += "Keep-Alive: max=" + std::to_string(keep_alive_left) + "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace

struct HttpServer::Connection {
  enum class State { kHead, kBody, kWorking, kWriting, kLinger };
  uint64_t id = 0;
  int fd = -1;
  State state = State::kHead;
  bool dead = false;
  bool peer_gone = false;
  bool got_bytes = false;  // of the current request
  uint32_t events = 0;     // registered with epoll (0: not registered)
  std::string in;
  std::string out;
  size_t out_off = 0;
  bool close_after_write = false;
  size_t served = 0;
  Clock::time_point accepted;
  Clock::time_point request_start;
  Clock::time_point deadline;
  std::unique_ptr<Request> req;
  BodyFraming framing;
  std::shared_ptr<RequestContext> ctx;
};

HttpServer::HttpServer(ConnectionLimits limits, int worker_threads, size_t max_body_bytes, Headers default_headers,
                       Handlers handlers)
    : limits_(limits),
      worker_count_(std::max(1, worker_threads)),
      max_body_bytes_(max_body_bytes),
      default_headers_(std::move(default_headers)),
      handlers_(std::move(handlers)) {
  limits_.keep_alive_max = std::max<size_t>(1, limits_.keep_alive_max);
}

HttpServer::~HttpServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool HttpServer::client_disconnected() { return t_context && t_context->client_gone.load(); }

void HttpServer::close_after_response() {
  if (t_context) t_context->close_after.store(true);
}

std::chrono::steady_clock::time_point HttpServer::request_started() {
  return t_context ? t_context->started : Clock::now();
}

Result<int> HttpServer::listen(const std::string& host, int port) {
  // Slow clients cost a file descriptor each: take what the hard limit allows.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
      getrlimit(RLIMIT_NOFILE, &rl);
    }
    const long usable = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, 1 << 20)) - 128;
    limits_.max_connections = static_cast<int>(std::clamp<long>(usable, 16, limits_.max_connections));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const std::string name = host.size() > 2 && host.front() == '[' ? host.substr(1, host.size() - 2) : host;
  if (const int rc = getaddrinfo(name.c_str(), service.c_str(), &hints, &found); rc != 0)
    return unavailable("cannot listen on " + host + ": " + gai_strerror(rc));
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT;
    // unlike SO_REUSEPORT it does not let a second live server share the port.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      why = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
    break;
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return unavailable("cannot listen on " + host + ":" + service + ": " + why);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  const int actual = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return internal_error(std::string("epoll/eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kWakeId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  return actual;
}

void HttpServer::start() {
  if (started_ || listen_fd_ < 0) return;
  started_ = true;
  for (int i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { worker_loop(); });
  loop_thread_ = std::thread([this] { loop(); });
}

void HttpServer::begin_drain() {
  draining_.store(true);
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void HttpServer::stop() {
  std::call_once(stop_once_, [this] {
    stopping_.store(true);
    begin_drain();
    if (loop_thread_.joinable()) loop_thread_.join();
    {
      std::lock_guard<std::mutex> lock(work_mutex_);
      workers_stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  });
}

void HttpServer::worker_loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(work_mutex_);
      work_cv_.wait(lock, [&] { return workers_stop_ || !work_.empty(); });
      if (work_.empty()) return;
      task = std::move(work_.front());
      work_.pop_front();
    }
    task();
  }
}

bool HttpServer::busy_connections() const {
  if (in_pool_.load() > 0) return true;
  for (const auto& [id, c] : connections_)
    if (!c->dead && (c->state == Connection::State::kWorking || c->state == Connection::State::kWriting)) return true;
  return false;
}

void HttpServer::update_events(Connection& c) {
  if (c.dead) return;
  uint32_t want = 0;
  switch (c.state) {
    case Connection::State::kHead:
    case Connection::State::kBody: want = kIn | (c.out_off < c.out.size() ? kOut : 0u); break;
    case Connection::State::kWorking: want = c.peer_gone ? 0u : kHangUp; break;
    case Connection::State::kWriting: want = kOut; break;
    case Connection::State::kLinger: want = kIn; break;
  }
  if (want == c.events) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c.id;
  // With no interest the fd leaves the set: a registered fd still reports HUP/ERR, which
  // level-triggered would repeat on every wait.
  if (want == 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  else epoll_ctl(epoll_fd_, c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev);
  c.events = want;
}

void HttpServer::close_connection(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second->dead) return;
  Connection& c = *it->second;
  if (c.events) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  c.events = 0;
  ::close(c.fd);
  c.dead = true;
  if (c.ctx) c.ctx->client_gone.store(true);
  open_connections_.fetch_sub(1);
}

bool HttpServer::make_room(Clock::time_point) {
  // Fair accept: the connection that has been waiting longest for its own request head
  // gives way. Connections whose request is being handled or answered are never cut.
  Connection* oldest = nullptr;
  for (auto& [id, c] : connections_) {
    if (c->dead || c->state != Connection::State::kHead) continue;
    if (!oldest || c->request_start < oldest->request_start) oldest = c.get();
  }
  if (!oldest) return false;
  close_connection(oldest->id);
  return true;
}

void HttpServer::accept_new() {
  const auto now = Clock::now();
  for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors (other files of the process count too): free one by closing the
      // oldest connection without a request, or wait for the next wake.
      if ((errno == EMFILE || errno == ENFILE) && make_room(now)) continue;
      return;
    }
    if (open_connections_.load() >= limits_.max_connections && !make_room(now)) {
      static const std::string kBusy = [] {
        const std::string body =
            "{\"error\":{\"status\":503,\"code\":\"too_many_connections\","
            "\"message\":\"every connection slot is working; retry in a moment\"}}";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
               "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      }();
      [[maybe_unused]] ssize_t n = ::send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    c->fd = fd;
    c->accepted = c->request_start = now;
    // The first request's head must be complete within header_timeout of connecting.
    c->deadline = now + std::chrono::seconds(limits_.header_timeout_s);
    Connection& ref = *c;
    connections_.emplace(c->id, std::move(c));
    open_connections_.fetch_add(1);
    update_events(ref);
  }
}

void HttpServer::on_readable(Connection& c) {
  char buf[kReadChunk];
  size_t total = 0;
  while (!c.dead && total < kMaxReadPerWake) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      total += static_cast<size_t>(n);
      if (c.state == Connection::State::kLinger) continue;  // discarded
      c.in.append(buf, static_cast<size_t>(n));
      if (c.state == Connection::State::kHead && c.in.size() > limits_.head.max_head_bytes + kReadChunk) break;
      if (c.state == Connection::State::kBody) break;  // consumed below, bounded by the body size
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    // EOF or error. A connection that has not completed a request has nothing to answer.
    c.peer_gone = true;
    if (c.state != Connection::State::kWorking && c.state != Connection::State::kWriting) {
      close_connection(c.id);
      return;
    }
    break;
  }
  if (!c.dead && c.state != Connection::State::kLinger) process_input(c);
}

void HttpServer::process_input(Connection& c) {
  while (!c.dead) {
    if (c.state == Connection::State::kHead) {
      if (c.in.empty()) return;
      if (!c.got_bytes) {
        c.got_bytes = true;
        if (c.served > 0) {
          c.request_start = Clock::now();
          c.deadline = c.request_start + std::chrono::seconds(limits_.header_timeout_s);
        }
      }
      const size_t end = find_head_end(c.in);
      if (end == 0) {
        if (c.in.size() > limits_.head.max_head_bytes)
          refuse(c, 431, "headers_too_large",
                 "the request's headers are over " + std::to_string(limits_.head.max_head_bytes / 1024) + " KiB",
                 true);
        return;
      }
      head_complete(c, end);
      continue;
    }
    if (c.state == Connection::State::kBody) {
      const size_t need = static_cast<size_t>(c.framing.content_length) - c.req->body.size();
      const size_t take = std::min(need, c.in.size());
      c.req->body.append(c.in, 0, take);
      c.in.erase(0, take);
      if (c.req->body.size() == c.framing.content_length) body_complete(c);
      else if (c.in.empty()) update_events(c);
      if (c.state != Connection::State::kHead) return;
      continue;
    }
    return;
  }
}

void HttpServer::head_complete(Connection& c, size_t head_len) {
  c.req = std::make_unique<Request>();
  c.ctx = std::make_shared<RequestContext>();
  c.ctx->started = c.request_start;
  const HeadError error =
      parse_request_head(std::string_view(c.in).substr(0, head_len), limits_.head, c.req.get(), &c.framing);
  c.in.erase(0, head_len);
  if (error.status != 0) {
    const char* code = error.status == 414 ? "uri_too_long" : error.status == 431 ? "headers_too_large" : "bad_request";
    refuse(c, error.status, code, "malformed HTTP request: " + error.message, true);
    return;
  }
  if (c.framing.has_transfer_encoding) {
    // Only Content-Length framing is read; anything else would leave the body's end unknown.
    refuse(c, 411, "length_required", "send the body with a Content-Length header (chunked uploads are not accepted)",
           true);
    return;
  }
  Response early;
  bool answered = false;
  if (handlers_.on_head) {
    ContextScope scope(c.ctx.get());
    answered = handlers_.on_head(*c.req, early);
  }
  if (answered) {
    // The announced body is not read: the connection cannot carry another request.
    if (c.framing.content_length > 0) c.ctx->close_after.store(true);
    finish_request(c, *c.req, std::move(early));
    return;
  }
  if (c.framing.content_length > max_body_bytes_) {
    refuse(c, 413, "too_large", "the request body is over the server's limit", true);
    return;
  }
  if (c.framing.expect_continue && c.framing.content_length > 0 && c.req->version == "HTTP/1.1") {
    c.out += "HTTP/1.1 100 Continue\r\n\r\n";
    on_writable(c);
    if (c.dead) return;
  }
  c.state = Connection::State::kBody;
  c.deadline = Clock::now() + std::chrono::seconds(limits_.body_timeout_s);
  c.req->body.reserve(static_cast<size_t>(c.framing.content_length));
  if (c.framing.content_length == 0) body_complete(c);
  else update_events(c);
}

void HttpServer::body_complete(Connection& c) {
  Request& req = *c.req;
  if (req.is_multipart_form_data()) {
    const Status s = parse_multipart(req.get_header_value("Content-Type"), req.body, MultipartLimits{}, &req.files);
    if (!s.is_ok()) {
      // The body was framed by its length, so the next request would start correctly;
      // closing anyway leaves nothing to guess for a client or proxy that framed it otherwise.
      refuse(c, 400, "bad_request", s.message(), true);
      return;
    }
    std::string().swap(req.body);  // the parts hold the bytes now
  }
  dispatch(c);
}

void HttpServer::dispatch(Connection& c) {
  c.state = Connection::State::kWorking;
  c.deadline = Clock::time_point::max();
  if (handlers_.runs_inline && handlers_.runs_inline(*c.req)) {
    Response res;
    {
      ContextScope scope(c.ctx.get());
      try {
        handlers_.handle(*c.req, res);
      } catch (...) {
        res = Response{};
        set_error(res, 500, "internal", "internal error");
      }
    }
    finish_request(c, *c.req, std::move(res));
    return;
  }
  if (in_pool_.load() >= worker_count_) {
    Response busy;
    set_error(busy, 429, "busy",
              "the server is already handling " + std::to_string(worker_count_) + " requests; retry in a moment");
    busy.set_header("Retry-After", "1");
    c.ctx->close_after.store(true);
    finish_request(c, *c.req, std::move(busy));
    return;
  }
  in_pool_.fetch_add(1);
  update_events(c);
  auto task = [this, id = c.id, req = std::shared_ptr<Request>(std::move(c.req)), ctx = c.ctx]() mutable {
    Response res;
    {
      ContextScope scope(ctx.get());
      try {
        handlers_.handle(*req, res);
      } catch (...) {
        res = Response{};
        set_error(res, 500, "internal", "internal error");
      }
    }
    {
      std::lock_guard<std::mutex> lock(done_mutex_);
      done_.push_back(Completion{id, std::make_unique<Request>(std::move(*req)), std::move(res)});
    }
    in_pool_.fetch_sub(1);
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  };
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    work_.push_back(std::move(task));
  }
  work_cv_.notify_one();
}

void HttpServer::drain_completions() {
  std::vector<Completion> done;
  {
    std::lock_guard<std::mutex> lock(done_mutex_);
    done.swap(done_);
  }
  for (Completion& d : done) {
    auto it = connections_.find(d.connection_id);
    if (it == connections_.end() || it->second->dead) continue;
    Connection& c = *it->second;
    c.req = std::move(d.request);
    finish_request(c, *c.req, std::move(d.response));
  }
}

void HttpServer::finish_request(Connection& c, Request& req, Response res) {
  const bool close = (c.ctx && c.ctx->close_after.load()) || draining_.load() || c.framing.connection_close ||
                     c.served + 1 >= limits_.keep_alive_max || c.peer_gone ||
                     ::strcasecmp(res.get_header_value("Connection").c_str(), "close") == 0;
  if (handlers_.log) {
    const auto started = c.ctx ? c.ctx->started : c.request_start;
    handlers_.log(req, res, std::chrono::duration<double>(Clock::now() - started).count());
  }
  if (res.status == 499) {  // the handler found its client gone: nobody to answer
    close_connection(c.id);
    return;
  }
  queue_response(c, &req, std::move(res), close);
}

void HttpServer::refuse(Connection& c, int status, const std::string& code, const std::string& message, bool close) {
  Response res;
  set_error(res, status, code, message);
  if (!c.req) c.req = std::make_unique<Request>();
  if (!c.ctx) {
    c.ctx = std::make_shared<RequestContext>();
    c.ctx->started = c.request_start;
  }
  if (close) c.ctx->close_after.store(true);
  finish_request(c, *c.req, std::move(res));
}

void HttpServer::queue_response(Connection& c, const Request* req, Response res, bool close) {
  ++c.served;
  c.out += serialize_head(res, default_headers_, close, limits_.keep_alive_max - std::min(c.served, limits_.keep_alive_max));
  const bool head_only = req && req->method == "HEAD";
  if (!head_only && res.status != 304 && res.status != 204) c.out += res.body;
  c.close_after_write = close;
  c.state = Connection::State::kWriting;
  c.deadline = Clock::now() + std::chrono::seconds(limits_.write_timeout_s);
  on_writable(c);
}

void HttpServer::on_writable(Connection& c) {
  while (!c.dead && c.out_off < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
      if (c.state == Connection::State::kWriting)
        c.deadline = Clock::now() + std::chrono::seconds(limits_.write_timeout_s);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      update_events(c);
      return;
    }
    close_connection(c.id);
    return;
  }
  if (c.dead) return;
  c.out.clear();
  c.out_off = 0;
  if (c.state != Connection::State::kWriting) {  // a "100 Continue" went out; keep reading
    update_events(c);
    return;
  }
  if (c.close_after_write || c.peer_gone) {
    start_linger(c);
    return;
  }
  // Ready for the next request on this connection.
  c.state = Connection::State::kHead;
  c.got_bytes = false;
  c.req.reset();
  c.ctx.reset();
  c.framing = BodyFraming{};
  c.request_start = Clock::now();
  c.deadline = c.request_start + std::chrono::seconds(limits_.idle_timeout_s);
  update_events(c);
  process_input(c);  // a pipelined request may be waiting
}

void HttpServer::start_linger(Connection& c) {
  // Lingering close: stop sending, read and discard what the client still sends for a
  // moment, then close. Closing with unread bytes makes the kernel send a reset, which
  // can destroy the response before the client has read it.
  ::shutdown(c.fd, SHUT_WR);
  c.state = Connection::State::kLinger;
  c.in.clear();
  c.deadline = Clock::now() + std::chrono::milliseconds(kLingerMs);
  if (c.peer_gone) {
    close_connection(c.id);
    return;
  }
  update_events(c);
}

void HttpServer::check_deadlines(Clock::time_point now) {
  std::vector<uint64_t> expired;
  for (auto& [id, c] : connections_)
    if (!c->dead && now >= c->deadline) expired.push_back(id);
  for (uint64_t id : expired) {
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second->dead) continue;
    Connection& c = *it->second;
    if (c.state == Connection::State::kHead && c.got_bytes) {
      refuse(c, 408, "request_timeout",
             "the request's headers did not arrive within " + std::to_string(limits_.header_timeout_s) + " s", true);
    } else if (c.state == Connection::State::kBody) {
      refuse(c, 408, "request_timeout",
             "the request's body did not arrive within " + std::to_string(limits_.body_timeout_s) + " s", true);
    } else {
      close_connection(id);  // idle, a stalled writer, or the end of a lingering close
    }
  }
}

void HttpServer::loop() {
  epoll_event events[256];
  auto last_check = Clock::now();
  for (;;) {
    const int n = epoll_wait(epoll_fd_, events, 256, kTickMs);
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;
      const uint32_t ev = events[i].events;
      if (id == kListenerId) {
        accept_new();
        continue;
      }
      if (id == kWakeId) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof v);
        drain_completions();
        continue;
      }
      auto it = connections_.find(id);
      if (it == connections_.end() || it->second->dead) continue;
      Connection& c = *it->second;
      if (c.state == Connection::State::kWorking) {
        // Only hang-ups are watched while a handler works: the client has gone.
        c.peer_gone = true;
        c.ctx->client_gone.store(true);
        update_events(c);
        continue;
      }
      if (ev & EPOLLIN) on_readable(c);
      if (!c.dead && (ev & EPOLLOUT)) on_writable(c);
      if (!c.dead && (ev & (EPOLLERR | EPOLLHUP)) && !(ev & EPOLLIN)) close_connection(id);
    }
    drain_completions();
    const auto now = Clock::now();
    if (draining_.load() && !drain_seen_) {
      drain_seen_ = true;
      // Idle kept-alive connections close at once; one that has just connected still
      // gets its first request answered (with a 503 for work).
      for (auto& [cid, c] : connections_)
        if (!c->dead && c->state == Connection::State::kHead && !c->got_bytes && c->served > 0) close_connection(cid);
    }
    if (now - last_check >= std::chrono::milliseconds(kTickMs)) {
      check_deadlines(now);
      last_check = now;
    }
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->second->dead) it = connections_.erase(it);
      else ++it;
    }
    if (stopping_.load() && !busy_connections()) break;
  }
  for (auto& [id, c] : connections_) close_connection(id);
  connections_.clear();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

}  // namespace toonbox::server
