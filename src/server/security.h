// The server's security rules as plain functions over header values, so each is tested
// on its own. Policy (docs/http-api.md, "Security"):
//  - it listens on 127.0.0.1 by default; any other address needs a token;
//  - on a loopback address the Host header must name a loopback host, which defeats DNS
//    rebinding (a hostile page whose name resolves to 127.0.0.1 is same-origin with us);
//  - routes that do work refuse cross-site browser requests (Sec-Fetch-Site, Origin).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace toonbox::server {

// "127.0.0.1", "127.x.y.z", "::1", "[::1]", "localhost" (and "*.localhost").
bool is_loopback_host(std::string_view host);

// The host part of a Host header ("127.0.0.1:7860" -> "127.0.0.1", "[::1]:80" -> "[::1]").
std::string host_header_name(std::string_view host_header);

// 32 random bytes from OpenSSL's RAND_bytes (seeded by the kernel) as 64 hex characters.
Result<std::string> generate_token();

// Compares in time that depends only on the lengths, not on where the strings differ
// (CRYPTO_memcmp).
bool constant_time_equals(std::string_view a, std::string_view b);

// The value of cookie `name` in a Cookie header, "" when absent.
std::string cookie_value(std::string_view cookie_header, std::string_view name);

// The token in "Authorization: Bearer <token>", "" when absent or another scheme.
std::string bearer_token(std::string_view authorization_header);

// "" when a request with these headers may do work, else why not (for a 403). Browsers
// send Sec-Fetch-Site on every request; "same-origin" (our page) and "none" (typed in the
// address bar) are allowed, "same-site" and "cross-site" are not. Without it, an Origin
// header must be http://<Host>. Clients that send neither (curl, scripts) are allowed:
// they are not browsers acting for another site.
std::string cross_site_refusal(std::string_view sec_fetch_site, std::string_view origin,
                               std::string_view host_header);

}  // namespace toonbox::server
