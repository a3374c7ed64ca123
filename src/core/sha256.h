// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface (libcrypto), for verifying model
// files against pinned digests and for ETags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace toonbox {

// Incremental hashing: update() any number of times, then hex_digest() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  // The lowercase hex digest; finalizes, call once. Empty if libcrypto failed (it only
  // can when out of memory), which never equals a pinned digest.
  std::string hex_digest();

 private:
  struct FreeContext {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, FreeContext> ctx_;
  bool ok_ = false;
};

// The hex digest of `bytes` in one call (EVP_Digest).
std::string sha256_hex(std::string_view bytes);

// The hex digest of a file, read in 64 KiB pieces (never whole into memory).
Result<std::string> sha256_file(const std::string& path);

}  // namespace toonbox
