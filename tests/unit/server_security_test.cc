// Security rules: the token (header, cookie, the /?token= visit), cross-site refusals,
// the Host check against DNS rebinding, body limits enforced before reading or decoding,
// compressed bodies refused; and the rule functions on their own.
#include "server/security.h"
#include "server_test_util.h"

namespace toonbox::server_test {
namespace {

using server::bearer_token;
using server::constant_time_equals;
using server::cookie_value;
using server::cross_site_refusal;
using server::host_header_name;
using server::is_loopback_host;

TEST(ServerSecurityRules, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "app.localhost", "::1", "[::1]",
                        "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback_host(h)) << h;
  for (const char* h : {"0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "localhost.evil.com",
                        "128.0.0.1", "", "[::2]"})
    EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(ServerSecurityRules, HostHeaderName) {
  EXPECT_EQ(host_header_name("127.0.0.1:7860"), "127.0.0.1");
  EXPECT_EQ(host_header_name("localhost"), "localhost");
  EXPECT_EQ(host_header_name("[::1]:80"), "[::1]");
  EXPECT_EQ(host_header_name(" evil.example:1 "), "evil.example");
}

TEST(ServerSecurityRules, TokensCookiesAndBearer) {
  auto t = server::generate_token();
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->size(), 64u);
  EXPECT_EQ(t->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(t.value(), server::generate_token().value());
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_EQ(cookie_value("a=1; toonbox_token=xyz; b=2", "toonbox_token"), "xyz");
  EXPECT_EQ(cookie_value("xtoonbox_token=1", "toonbox_token"), "");
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
}

TEST(ServerSecurityRules, CrossSite) {
  EXPECT_EQ(cross_site_refusal("same-origin", "", "127.0.0.1:1"), "");
  EXPECT_EQ(cross_site_refusal("none", "", "127.0.0.1:1"), "");
  EXPECT_NE(cross_site_refusal("cross-site", "", "127.0.0.1:1"), "");
  EXPECT_NE(cross_site_refusal("same-site", "", "127.0.0.1:1"), "");
  EXPECT_EQ(cross_site_refusal("", "http://127.0.0.1:1", "127.0.0.1:1"), "");
  EXPECT_NE(cross_site_refusal("", "http://evil.example", "127.0.0.1:1"), "");
  EXPECT_NE(cross_site_refusal("", "null", "127.0.0.1:1"), "");
  EXPECT_EQ(cross_site_refusal("", "", "127.0.0.1:1"), "");  // curl, scripts
}

TEST(ServerSecurity, TokenIsRequiredOnApiRoutes) {
  server::ServerConfig config;
  config.token = "s3cret-token-for-tests";
  ServerHarness h(config);
  auto c = h.client();
  auto no = c->Get("/api/v1/status");
  ASSERT_TRUE(no);
  EXPECT_EQ(no->status, 401);
  EXPECT_NE(error_message(no).find("access token"), std::string::npos);
  EXPECT_EQ(no->get_header_value("WWW-Authenticate"), "Bearer realm=\"toonbox\"");
  EXPECT_EQ(c->Get("/api/v1/status", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(c->Get("/api/v1/status", {{"Authorization", "Bearer s3cret-token-for-tests"}})->status, 200);
  EXPECT_EQ(c->Get("/api/v1/status", {{"Cookie", "toonbox_token=s3cret-token-for-tests"}})->status, 200);
  EXPECT_EQ(c->Get("/metrics")->status, 401);
  EXPECT_EQ(h.cartoonize(png_bytes(8, 8))->status, 401);
  EXPECT_EQ(h.cartoonize(png_bytes(8, 8), "", {{"Authorization", "Bearer s3cret-token-for-tests"}})->status, 200);
  // Public: the page itself (it explains how to get in) and the health checks.
  EXPECT_EQ(c->Get("/")->status, 200);
  EXPECT_EQ(c->Get("/health/live")->status, 200);
  EXPECT_EQ(c->Get("/health/ready")->status, 200);
}

TEST(ServerSecurity, VisitingWithTheTokenSetsACookie) {
  server::ServerConfig config;
  config.token = "tok123";
  ServerHarness h(config);
  auto c = h.client();
  auto ok = c->Get("/?token=tok123");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 303);
  EXPECT_EQ(ok->get_header_value("Location"), "/");
  EXPECT_EQ(ok->get_header_value("Set-Cookie"), "toonbox_token=tok123; HttpOnly; SameSite=Strict; Path=/");
  auto bad = c->Get("/?token=nope");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_TRUE(bad->get_header_value("Set-Cookie").empty());
}

TEST(ServerSecurity, CrossSiteRequestsCannotDoWork) {
  ServerHarness h;
  const std::string img = png_bytes(8, 8);
  const std::string self = "http://127.0.0.1:" + std::to_string(h.port());
  auto cross = h.cartoonize(img, "", {{"Sec-Fetch-Site", "cross-site"}});
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  EXPECT_EQ(json_of(cross)["error"]["code"], "cross_site");
  EXPECT_EQ(h.cartoonize(img, "", {{"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(h.cartoonize(img, "", {{"Sec-Fetch-Site", "same-origin"}, {"Origin", self}})->status, 200);
  EXPECT_EQ(h.cartoonize(img, "", {{"Origin", self}})->status, 200);
  // Reading status cross-site is harmless (the browser hides the answer): not refused.
  EXPECT_EQ(h.client()->Get("/api/v1/status", {{"Sec-Fetch-Site", "cross-site"}})->status, 200);
  EXPECT_EQ(h.hooks->run_count(), 2);
}

TEST(ServerSecurity, ForeignHostHeadersAreRefusedOnLoopback) {
  ServerHarness h;
  auto evil = h.client()->Get("/api/v1/status", {{"Host", "evil.example:" + std::to_string(h.port())}});
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 403);
  EXPECT_NE(error_message(evil).find("not allowed"), std::string::npos);
  EXPECT_EQ(h.client()->Get("/", {{"Host", "evil.example"}})->status, 403);
  EXPECT_EQ(h.client()->Get("/api/v1/status", {{"Host", "localhost:" + std::to_string(h.port())}})->status, 200);
}

TEST(ServerSecurity, BodyLimitIsEnforcedBeforeReadingTheBody) {
  server::ServerConfig config;
  config.max_body_bytes = 4096;
  ServerHarness h(config);
  auto r = h.client()->Post("/api/v1/cartoonize", std::string(100000, 'x'), "image/png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(error_message(r).find("over the server's limit of"), std::string::npos) << r->body;
  // The refusal comes from the header: a client announcing a huge body gets it at once.
  RawSocket s(h.port());
  ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         "Content-Length: 999999999999\r\n\r\n"));
  const std::string reply = s.read_all(std::chrono::seconds(5));
  EXPECT_NE(reply.find("HTTP/1.1 413"), std::string::npos) << reply;
  EXPECT_EQ(h.hooks->run_count(), 0);
}

TEST(ServerSecurity, ExpectContinueGetsTheRefusalInsteadOfAnInvitation) {
  server::ServerConfig config;
  config.max_body_bytes = 4096;
  config.token = "tok";
  ServerHarness h(config);
  {
    RawSocket s(h.port());
    ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                           "Authorization: Bearer tok\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n"));
    const std::string reply = s.read_all(std::chrono::seconds(5));
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
    EXPECT_EQ(reply.find("100 Continue"), std::string::npos) << reply;
  }
  {
    RawSocket s(h.port());  // no token: refused before the body too
    ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                           "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n"));
    const std::string reply = s.read_all(std::chrono::seconds(5));
    EXPECT_EQ(reply.rfind("HTTP/1.1 401", 0), 0u) << reply;
  }
  {
    // Accepted: "100 Continue", then the body, then the answer.
    const std::string image = png_bytes(8, 8);
    RawSocket s(h.port());
    ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                           "Authorization: Bearer tok\r\nConnection: close\r\nExpect: 100-continue\r\n"
                           "Content-Length: " + std::to_string(image.size()) + "\r\n\r\n"));
    char buf[64] = {0};
    ASSERT_GT(::recv(s.fd(), buf, sizeof buf - 1, 0), 0);
    EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 100 Continue", 0), 0u) << buf;
    ASSERT_TRUE(s.send_all(image));
    const std::string reply = s.read_all(std::chrono::seconds(20));
    EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply.substr(0, 300);
  }
}

TEST(ServerSecurity, PixelLimitIsCheckedFromTheHeader) {
  server::ServerConfig config;
  config.max_pixels = 10000;
  ServerHarness h(config);
  auto r = h.cartoonize(png_bytes(200, 100));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(error_message(r).find("200x100"), std::string::npos) << error_message(r);
  // A PNG whose header claims 60000x60000 but carries no pixels: refused for its size,
  // which proves the check happens before decoding (decoding would report corruption).
  auto chunk = [](const std::string& type, const std::string& data) {
    std::string c;
    auto put32 = [&](uint32_t v) {
      for (int i = 0; i < 4; ++i) c += static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    };
    put32(static_cast<uint32_t>(data.size()));
    const std::string body = type + data;
    uint32_t crc = 0xffffffffu;
    for (unsigned char b : body) {
      crc ^= b;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    c += body;
    put32(crc ^ 0xffffffffu);
    return c;
  };
  const std::string ihdr("\x00\x00\xea\x60\x00\x00\xea\x60\x08\x02\x00\x00\x00", 13);  // 60000x60000 RGB8
  const std::string huge = std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", "") +
                           chunk("IEND", "");
  auto big = h.cartoonize(huge);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413) << big->body;
  EXPECT_NE(error_message(big).find("60000x60000"), std::string::npos) << error_message(big);
  // An output size over the limit is refused before queueing too.
  auto up = h.cartoonize(png_bytes(50, 50), "?long_side=1000");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 413);
  EXPECT_EQ(h.hooks->run_count(), 0);
}

TEST(ServerSecurity, CompressedAndUnsizedBodiesAreRefused) {
  ServerHarness h;
  auto gz = h.client()->Post("/api/v1/cartoonize", {{"Content-Encoding", "gzip"}}, "\x1f\x8b", 2, "image/png");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 415);
  RawSocket s(h.port());
  ASSERT_TRUE(s.send_all("POST /api/v1/cartoonize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string reply = s.read_all(std::chrono::seconds(5));
  EXPECT_NE(reply.find("HTTP/1.1 411"), std::string::npos) << reply;
}

}  // namespace
}  // namespace toonbox::server_test
