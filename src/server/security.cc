#include "server/security.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace toonbox::server {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_loopback_host(std::string_view host_in) {
  std::string host = lower(host_in);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    // ::ffff:127.x.y.z
    if (IN6_IS_ADDR_V4MAPPED(&v6)) return v6.s6_addr[12] == 127;
  }
  return false;
}

std::string host_header_name(std::string_view h) {
  h = trim(h);
  if (!h.empty() && h.front() == '[') {
    const size_t close = h.find(']');
    return std::string(close == std::string_view::npos ? h : h.substr(0, close + 1));
  }
  const size_t colon = h.rfind(':');
  return std::string(colon == std::string_view::npos ? h : h.substr(0, colon));
}

Result<std::string> generate_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return unavailable("cannot generate an access token: OpenSSL's random generator failed (RAND_bytes)");
  std::string hex;
  char buf[3];
  for (unsigned char b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // The length is not secret (a token is 64 hex characters); CRYPTO_memcmp compares equal
  // lengths in time independent of the bytes.
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
  }
  return "";
}

std::string bearer_token(std::string_view header) {
  header = trim(header);
  if (header.size() < 7 || lower(header.substr(0, 7)) != "bearer ") return "";
  return std::string(trim(header.substr(7)));
}

std::string cross_site_refusal(std::string_view sec_fetch_site, std::string_view origin,
                               std::string_view host_header) {
  const std::string site = lower(trim(sec_fetch_site));
  if (!site.empty()) {
    if (site == "same-origin" || site == "none") return "";
    return "cross-site request refused (Sec-Fetch-Site: " + site +
           "): only this server's own page may send work here";
  }
  const std::string o = lower(trim(origin));
  if (o.empty()) return "";
  if (o == "http://" + lower(trim(host_header))) return "";
  return "cross-origin request refused (Origin: " + std::string(trim(origin)) +
         "): only this server's own page may send work here";
}

}  // namespace toonbox::server
