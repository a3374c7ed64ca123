// The connection layer under hostile and unlucky clients (issue 18): request smuggling
// through a body the server cannot parse, slowloris (hundreds of slow connections),
// draining, a second server on a port in use, the connection cap, keep-alive limits,
// pipelining and strict head parsing. Each test talks raw TCP so it sees exactly what
// the server sends.
#include <poll.h>

#include <algorithm>
#include <future>
#include <numeric>

#include "server/http_parse.h"
#include "server/multipart.h"
#include "server_test_util.h"

using namespace toonbox::engine;

namespace toonbox::server_test {
namespace {

using Clock = std::chrono::steady_clock;

// Responses in a byte stream: status lines at the start or after a previous message.
int count_responses(const std::string& stream) {
  int n = 0;
  for (size_t pos = 0; (pos = stream.find("HTTP/1.1 ", pos)) != std::string::npos; pos += 9)
    if (pos == 0 || stream.compare(pos - 2, 2, "\r\n") == 0 || stream[pos - 1] == '}') ++n;
  return n;
}

// One GET over a fresh connection; the time to the complete response.
double probe_ms(int port, const std::string& path, int* status) {
  const auto t0 = Clock::now();
  RawSocket s(port);
  *status = 0;
  if (!s.connected()) return 1e9;
  s.send_all("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  const std::string reply = s.read_all(std::chrono::seconds(30));
  if (reply.rfind("HTTP/1.1 ", 0) == 0) *status = std::atoi(reply.c_str() + 9);
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// A multipart body of `parts` tiny parts, with a complete DELETE request for `job`
// written into every part (what a hostile page's form post would carry).
std::string smuggling_body(int parts, const std::string& job, const std::string& boundary) {
  const std::string smuggled = "DELETE /api/v1/jobs/" + job + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::string body;
  for (int i = 0; i < parts; ++i)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\n" +
            smuggled + "\r\n";
  return body + "--" + boundary + "--\r\n";
}

TEST(ServerConnections, AnUnparsableBodyEndsItsConnectionSoNothingIsSmuggled) {
  server::ServerConfig config;
  config.scheduler.max_batch = 1;
  ServerHarness h(config);
  h.hooks->close_gate();
  // A job that stays pending: its first image holds the device.
  httplib::MultipartFormDataItems items;
  for (int i = 0; i < 3; ++i) items.push_back({"images", png_bytes(16, 16), "x.png", "image/png"});
  auto created = h.client()->Post("/api/v1/jobs", items);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202);
  const std::string job = json_of(created)["id"];
  ASSERT_TRUE(h.hooks->wait_blocked(1));

  const std::string boundary = "smuggle";
  const std::string body = smuggling_body(1100, job, boundary);
  for (const char* path : {"/nothing", "/", "/api/v1/status", "/api/v1/cartoonize"}) {
    RawSocket s(h.port());
    ASSERT_TRUE(s.send_all(std::string("POST ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: multipart/form-data; boundary=" + boundary +
                           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    const std::string reply = s.read_all(std::chrono::seconds(10));
    EXPECT_EQ(count_responses(reply), 1) << path << ":\n" << reply.substr(0, 2000);
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << path;
  }
  // The job was not cancelled by any of the smuggled DELETEs.
  auto j = json_of(h.client()->Get(("/api/v1/jobs/" + job).c_str()));
  EXPECT_EQ(j.value("cancelled", -1), 0) << j.dump();
  EXPECT_EQ(j.value("state", ""), "running");
  h.hooks->open_gate();
}

TEST(ServerConnections, SmugglingHeadsAreRefusedAndClosed) {
  ServerHarness h;
  const std::string tail = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const char* heads[] = {
      "POST /api/v1/status HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n",
      "POST /api/v1/status HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST /api/v1/status HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n",
      "POST /api/v1/status HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
      "POST /api/v1/status HTTP/1.1\r\nHost: a\r\nX: y\r\n Content-Length: 5\r\n\r\n",
      "POST /api/v1/status HTTP/1.1\nHost: a\r\nContent-Length: 5\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET http://evil/health/live HTTP/1.1\r\nHost: a\r\n\r\n",
  };
  for (const char* head : heads) {
    RawSocket s(h.port());
    ASSERT_TRUE(s.send_all(std::string(head) + "x=1&y" + tail));
    const std::string reply = s.read_all(std::chrono::seconds(5));
    EXPECT_EQ(count_responses(reply), 1) << head << "\n" << reply;
    EXPECT_TRUE(reply.rfind("HTTP/1.1 400", 0) == 0 || reply.rfind("HTTP/1.1 411", 0) == 0) << head << "\n" << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << head;
  }
}

TEST(ServerConnections, PipelinedRequestsAreFramedExactly) {
  ServerHarness h;
  RawSocket s(h.port());
  const std::string get = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  // A body that looks like a request is a body: three answers, not four.
  const std::string post = "POST /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                           std::to_string(get.size()) + "\r\n\r\n" + get;
  ASSERT_TRUE(s.send_all(get + post + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const std::string reply = s.read_all(std::chrono::seconds(5));
  EXPECT_EQ(count_responses(reply), 3) << reply;
  EXPECT_NE(reply.find("HTTP/1.1 404"), std::string::npos) << reply;
}

TEST(ServerConnections, KeepAliveEndsAfterItsLimit) {
  server::ServerConfig config;
  config.connection.keep_alive_max = 3;
  ServerHarness h(config);
  RawSocket s(h.port());
  std::string many;
  for (int i = 0; i < 5; ++i) many += "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(s.send_all(many));
  const std::string reply = s.read_all(std::chrono::seconds(5));
  EXPECT_EQ(count_responses(reply), 3) << reply;
  EXPECT_EQ(reply.find("Connection: close"), reply.rfind("Connection: close"));  // only on the last
  EXPECT_NE(reply.rfind("Connection: close"), std::string::npos);
}

// Slowloris: hundreds of connections that each send a header line now and then. The
// probe of /health/live must stay fast, a real request must be served, and every slow
// connection must be cut at the header deadline.
TEST(ServerConnections, HundredsOfSlowConnectionsDoNotStarveTheServer) {
  server::ServerConfig config;
  config.connection.header_timeout_s = 3;
  ServerHarness h(config);
  constexpr int kSlow = 500;
  std::vector<std::unique_ptr<RawSocket>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawSocket>(h.port()));
    ASSERT_TRUE(slow.back()->connected()) << i;
    slow.back()->send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  std::atomic<bool> stop{false};
  std::thread dribble([&] {
    for (int round = 0; !stop.load(); ++round) {
      for (auto& s : slow) s->send_all("X-Slow-" + std::to_string(round) + ": 1\r\n");
      for (int i = 0; i < 10 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::vector<double> ms;
  for (int i = 0; i < 40; ++i) {
    int status = 0;
    ms.push_back(probe_ms(h.port(), "/health/live", &status));
    EXPECT_EQ(status, 200);
  }
  auto real = h.cartoonize(png_bytes(32, 32));
  stop.store(true);
  dribble.join();
  ASSERT_TRUE(real);
  EXPECT_EQ(real->status, 200);
  const double p99 = percentile(ms, 0.99);
  std::printf("slowloris: %d slow connections, /health/live p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", kSlow,
              percentile(ms, 0.5), p99, percentile(ms, 1.0));
  // The target is 100 ms (measured: well under 10 ms); this bound leaves room for a
  // loaded CI machine while cpp-httplib's 4-42 s would still fail it by far.
  EXPECT_LT(p99, 250.0);

  // Every slow connection is cut at its header deadline (3 s from connecting), with a 408.
  const auto cut_by = Clock::now() + std::chrono::seconds(4);
  int cut = 0;
  for (auto& s : slow) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(cut_by - Clock::now());
    const std::string reply = s->read_all(std::max(std::chrono::milliseconds(1), left));
    cut += reply.rfind("HTTP/1.1 408", 0) == 0;
  }
  EXPECT_EQ(cut, kSlow);
}

TEST(ServerConnections, AtTheConnectionCapNewClientsDisplaceTheOldestIdleOnes) {
  server::ServerConfig config;
  config.connection.max_connections = 40;
  ServerHarness h(config);
  std::vector<std::unique_ptr<RawSocket>> idle;
  for (int i = 0; i < 60; ++i) idle.push_back(std::make_unique<RawSocket>(h.port()));
  ASSERT_TRUE(eventually([&] { return h.server->open_connections() <= 40; }));
  for (int i = 0; i < 10; ++i) {
    int status = 0;
    probe_ms(h.port(), "/health/live", &status);
    EXPECT_EQ(status, 200) << i;
  }
}

TEST(ServerConnections, ASecondServerOnAPortInUseFailsToStart) {
  ServerHarness first;
  server::ServerConfig config;
  config.host = "127.0.0.1";
  config.port = first.port();
  config.default_model = "classic";
  DeviceSelection device;
  device.backend = std::make_shared<HookBackend>(first.hooks, false);
  device.precision = Precision::kFloat32;
  server::Server second(config, device);
  const Status s = second.start();
  ASSERT_FALSE(s.is_ok()) << "a second server started on port " << first.port();
  EXPECT_NE(s.message().find("in use"), std::string::npos) << s.message();
  // The first one still answers every request (none went to the second).
  for (int i = 0; i < 10; ++i) {
    auto r = first.client()->Get("/api/v1/status");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST(ServerConnections, DrainingAnswersWithConnectionCloseAndRefusesNewWorkWith503) {
  auto h = std::make_unique<ServerHarness>();
  h->hooks->close_gate();
  RawSocket in_flight(h->port());
  ASSERT_TRUE(in_flight.send_all(raw_cartoonize_request(png_bytes(20, 20), h->port())));
  ASSERT_TRUE(h->hooks->wait_blocked(1));
  RawSocket idle(h->port());
  ASSERT_TRUE(idle.send_all("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  char buf[4096];
  ASSERT_GT(::recv(idle.fd(), buf, sizeof buf, 0), 0);  // answered, kept alive
  auto stopping = std::async(std::launch::async, [&] { h->server->shutdown(); });
  ASSERT_TRUE(eventually([&] { return !h->server->ready(); }));
  // Kept-alive idle connections are closed (EOF, not a reset).
  EXPECT_EQ(idle.read_all(std::chrono::seconds(5)), "");
  // A new request during the drain gets the documented 503, and the connection closes.
  RawSocket late(h->port());
  ASSERT_TRUE(late.connected());
  ASSERT_TRUE(late.send_all(raw_cartoonize_request(png_bytes(20, 20), h->port())));
  const std::string refused = late.read_all(std::chrono::seconds(5));
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("shutting_down"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Connection: close"), std::string::npos) << refused;
  h->hooks->open_gate();
  // The request in flight is answered, with Connection: close, then a clean EOF.
  const std::string answer = in_flight.read_all(std::chrono::seconds(20));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer.substr(0, 300);
  EXPECT_EQ(answer.find("keep-alive"), std::string::npos) << answer.substr(0, 300);
  stopping.get();
}

TEST(ServerConnections, OverloadIsAnswered429Quickly) {
  server::ServerConfig config;
  config.scheduler.queue_capacity = 1;
  ServerHarness h(config);
  h.hooks->close_gate();
  auto running = std::async(std::launch::async, [&] { return h.cartoonize(png_bytes(20, 20)); });
  ASSERT_TRUE(h.hooks->wait_blocked(1));
  auto queued = std::async(std::launch::async, [&] { return h.cartoonize(png_bytes(20, 20)); });
  ASSERT_TRUE(eventually([&] { return h.server->scheduler().depth() == 1; }));
  const std::string request = raw_cartoonize_request(png_bytes(64, 64), h.port());
  std::vector<double> ms(200);
  std::vector<std::thread> flood;
  std::atomic<int> not_429{0};
  for (int t = 0; t < 8; ++t) {
    flood.emplace_back([&, t] {
      for (int i = t; i < 200; i += 8) {
        const auto t0 = Clock::now();
        RawSocket s(h.port());
        s.send_all(request);
        const std::string reply = s.read_all(std::chrono::seconds(10));
        ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (reply.rfind("HTTP/1.1 429", 0) != 0) not_429.fetch_add(1);
      }
    });
  }
  for (auto& t : flood) t.join();
  h.hooks->open_gate();
  EXPECT_EQ(not_429.load(), 0);
  std::printf("overload: 200 refusals, p50 %.2f ms, p100 %.2f ms\n", percentile(ms, 0.5), percentile(ms, 1.0));
  EXPECT_LT(percentile(ms, 1.0), 250.0);  // target 50 ms; room for a loaded CI machine
  EXPECT_EQ(running.get()->status, 200);
  EXPECT_EQ(queued.get()->status, 200);
}

TEST(ServerHttpParse, HeadsAndQueries) {
  server::Request req;
  server::BodyFraming f;
  auto e = server::parse_request_head(
      "POST /a%20b?x=1&y=%2F&z&w=a+b HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nConnection: close\r\n\r\n", {}, &req,
      &f);
  ASSERT_EQ(e.status, 0) << e.message;
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/a b");
  EXPECT_EQ(req.get_param_value("y"), "/");
  EXPECT_TRUE(req.has_param("z"));
  EXPECT_EQ(req.get_param_value("w"), "a b");
  EXPECT_EQ(req.get_header_value("host"), "h");
  EXPECT_EQ(f.content_length, 12u);
  EXPECT_TRUE(f.connection_close);
  for (const char* bad : {"GET / HTTP/1.1\r\nA: b\r\n", "GET /%zz HTTP/1.1\r\n\r\n", "GET /?a=%0 HTTP/1.1\r\n\r\n",
                          "GET /%00 HTTP/1.1\r\n\r\n", "get / HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\r\nA\x01: b\r\n\r\n", "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
                          "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"}) {
    server::Request r;
    EXPECT_NE(server::parse_request_head(bad, {}, &r, &f).status, 0) << bad;
  }
  server::Request r;
  EXPECT_EQ(server::parse_request_head("GET / HTTP/2.0\r\n\r\n", {}, &r, &f).status, 505);
  EXPECT_EQ(server::parse_request_head("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", {}, &r, &f).status, 414);
}

TEST(ServerMultipart, PartsLimitsAndMalformedBodies) {
  const std::string type = "multipart/form-data; boundary=\"b b\"";
  server::FormParts parts;
  const std::string body =
      "preamble\r\n--b b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\\\"q.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n--b bx\r\n--b b\r\nContent-Disposition: form-data; name=format\r\n\r\n"
      "webp\r\n--b b--\r\nepilogue";
  ASSERT_TRUE(server::parse_multipart(type, body, {}, &parts).is_ok());
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts.find("image")->second.filename, "a\"q.png");
  EXPECT_EQ(parts.find("image")->second.content, "\x89PNG\r\n--b bx");
  EXPECT_EQ(parts.find("format")->second.content, "webp");
  server::MultipartLimits few;
  few.max_parts = 1;
  server::FormParts p2;
  EXPECT_NE(server::parse_multipart(type, body, few, &p2).message().find("more than 1 parts"), std::string::npos);
  for (const std::string& bad : {std::string("--b b\r\n\r\nno disposition\r\n--b b--"),
                                 std::string("--b b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunclosed"),
                                 std::string("no boundary here")}) {
    server::FormParts p;
    EXPECT_FALSE(server::parse_multipart(type, bad, {}, &p).is_ok()) << bad;
  }
  server::FormParts p;
  EXPECT_FALSE(server::parse_multipart("multipart/form-data", body, {}, &p).is_ok());
}

}  // namespace
}  // namespace toonbox::server_test
