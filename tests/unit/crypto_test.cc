// SHA-256 (core/sha256.h) against the FIPS 180-2 test vectors (appendix B), incremental
// and one-shot and from a file; the server's random tokens and constant-time compare
// (server/security.h). All through OpenSSL's libcrypto.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "server/security.h"

namespace toonbox {
namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kTwoBlockMessage = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(kTwoBlockMessage), kTwoBlocks);
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), kMillionA);
  EXPECT_EQ(sha256_hex(""), kEmpty);
}

TEST(Sha256, IncrementalInUnevenPieces) {
  const std::string million(1000000, 'a');
  Sha256 h;
  for (size_t done = 0, piece = 1; done < million.size(); done += piece, piece = piece * 3 % 9973 + 1)
    h.update(million.data() + done, std::min(piece, million.size() - done));
  EXPECT_EQ(h.hex_digest(), kMillionA);
  EXPECT_EQ(h.hex_digest(), "");  // finalized: never a second, wrong digest
  Sha256 nothing;
  nothing.update(nullptr, 0);
  EXPECT_EQ(nothing.hex_digest(), kEmpty);
}

TEST(Sha256, FilesAreStreamed) {
  const auto dir = std::filesystem::temp_directory_path() / ("toonbox_sha_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "a.bin").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << std::string(1000000, 'a');  // several of the 64 KiB reads
  }
  auto digest = sha256_file(path);
  ASSERT_TRUE(digest.is_ok()) << digest.status().message();
  EXPECT_EQ(digest.value(), kMillionA);
  auto missing = sha256_file((dir / "missing.bin").string());
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("missing.bin: cannot open"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ServerTokens, RandomHexOfThirtyTwoBytes) {
  auto a = server::generate_token(), b = server::generate_token();
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a.value(), b.value());
}

TEST(ServerTokens, ConstantTimeEquals) {
  EXPECT_TRUE(server::constant_time_equals("", ""));
  EXPECT_TRUE(server::constant_time_equals("secret", "secret"));
  EXPECT_FALSE(server::constant_time_equals("secret", "secreT"));
  EXPECT_FALSE(server::constant_time_equals("Secret", "secret"));
  EXPECT_FALSE(server::constant_time_equals("secret", "secret!"));
  EXPECT_FALSE(server::constant_time_equals("", "x"));
  EXPECT_TRUE(server::constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(server::constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace toonbox
