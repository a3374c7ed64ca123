// The normal (g++) build's driver for a fuzz harness: replays every file of the given
// corpus folders, then runs a bounded number of deterministic random mutations of them
// (bit flips, byte sets, inserted and deleted runs, truncation, splicing two inputs), so
// CI exercises each harness for a few seconds without clang or libFuzzer. A crash, a
// failed invariant (abort) or a sanitizer report ends the process non-zero, which fails
// the ctest. Long, coverage-guided runs use the libFuzzer build (docs/fuzzing.md).
//
// usage: HARNESS_replay [--mutations N] [--seed S] [--max-len BYTES] DIR...
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run(const Bytes& b) { LLVMFuzzerTestOneInput(b.empty() ? nullptr : b.data(), b.size()); }

Bytes mutate(const std::vector<Bytes>& corpus, std::mt19937_64& rng, size_t max_len) {
  Bytes b = corpus[rng() % corpus.size()];
  const int steps = 1 + static_cast<int>(rng() % 6);
  static const uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, '0', '9', '-', '\r', '\n', '"', '%'};
  for (int s = 0; s < steps; ++s) {
    const size_t at = b.empty() ? 0 : rng() % b.size();
    switch (rng() % 7) {
      case 0:
        if (!b.empty()) b[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        if (!b.empty()) b[at] = kInteresting[rng() % sizeof kInteresting];
        break;
      case 2:
        if (!b.empty()) b[at] = static_cast<uint8_t>(rng());
        break;
      case 3: {  // insert a run of one byte (sizes, counts, long names)
        const size_t n = 1 + rng() % 64;
        b.insert(b.begin() + static_cast<long>(at), n, static_cast<uint8_t>(rng()));
        break;
      }
      case 4: {  // delete a run
        const size_t n = std::min(b.size() - at, static_cast<size_t>(1 + rng() % 64));
        b.erase(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
        break;
      }
      case 5:
        b.resize(at);
        break;
      case 6: {  // splice: this input's head, another's tail
        const Bytes& other = corpus[rng() % corpus.size()];
        const size_t from = other.empty() ? 0 : rng() % other.size();
        b.resize(at);
        b.insert(b.end(), other.begin() + static_cast<long>(from), other.end());
        break;
      }
    }
  }
  if (b.size() > max_len) b.resize(max_len);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 2000;
  unsigned long long seed = 1;
  size_t max_len = 1 << 20;
  std::vector<std::filesystem::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mutations" && i + 1 < argc) mutations = std::atol(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--max-len" && i + 1 < argc) max_len = std::strtoull(argv[++i], nullptr, 10);
    else dirs.emplace_back(a);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(d, ec)) {
      files.push_back(d);
      continue;
    }
    for (const auto& e : std::filesystem::recursive_directory_iterator(d, ec))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files in the folders given\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Bytes> corpus;
  for (const auto& f : files) {
    corpus.push_back(read_file(f));
    run(corpus.back());
  }
  std::mt19937_64 rng(seed);
  for (long i = 0; i < mutations; ++i) run(mutate(corpus, rng, max_len));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu corpus files and %ld mutations (seed %llu) in %.2f s: no crash\n", files.size(), mutations, seed, s);
  return 0;
}
