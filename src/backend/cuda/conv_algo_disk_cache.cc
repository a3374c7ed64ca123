#include "backend/cuda/conv_algo_disk_cache.h"

#include <cuda_runtime.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace toonbox::cuda {

namespace {

constexpr uint32_t kRecordMagic = 0x31414254;  // "TBA1"
constexpr uint32_t kMaxAlgosPerKey = 64;
constexpr int32_t kMaxApi = 3;  // ConvAlgoKey::api: legacy, graph API, the two timed own-kernel choices
constexpr size_t kMaxFileBytes = 64u << 20;
constexpr size_t kAlgoBytes = 4 + 4 + 8 + 4 + 4 + 1 + 1 + 2;  // see put_algo

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
bool get(const std::string& in, size_t* pos, T* v) {
  if (in.size() - *pos < sizeof(T)) return false;
  std::memcpy(v, in.data() + *pos, sizeof(T));
  *pos += sizeof(T);
  return true;
}

void put_algo(std::string& out, const ConvAlgo& a) {
  put<int32_t>(out, static_cast<int32_t>(a.algo));
  put<int32_t>(out, static_cast<int32_t>(a.math));
  put<uint64_t>(out, a.workspace);
  put<float>(out, a.time_ms);
  put<int32_t>(out, a.engine);
  put<uint8_t>(out, a.graph_fused);
  put<uint8_t>(out, a.graph_explicit_pad);
  put<uint16_t>(out, 0);
}

bool get_algo(const std::string& in, size_t* pos, ConvAlgo* a) {
  int32_t algo = 0, math = 0, engine = 0;
  uint64_t workspace = 0;
  float time = 0;
  uint8_t fused = 0, pad = 0;
  uint16_t reserved = 0;
  if (!get(in, pos, &algo) || !get(in, pos, &math) || !get(in, pos, &workspace) || !get(in, pos, &time) ||
      !get(in, pos, &engine) || !get(in, pos, &fused) || !get(in, pos, &pad) || !get(in, pos, &reserved))
    return false;
  if (algo < 0 || algo >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT) return false;
  if (math < CUDNN_DEFAULT_MATH || math > CUDNN_FMA_MATH) return false;
  if (engine < -1 || engine > 100000 || fused > 1 || pad > 1 || reserved != 0) return false;
  if (workspace > (uint64_t{1} << 40) || !(time >= 0)) return false;
  a->algo = static_cast<cudnnConvolutionFwdAlgo_t>(algo);
  a->math = static_cast<cudnnMathType_t>(math);
  a->workspace = static_cast<size_t>(workspace);
  a->time_ms = time;
  a->engine = engine;
  a->graph_fused = fused;
  a->graph_explicit_pad = pad;
  return true;
}

std::string cache_folder() {
  if (const char* dir = std::getenv("TOONBOX_CUDA_ALGO_CACHE")) {
    if (std::strcmp(dir, "off") == 0 || dir[0] == '\0') return "";
    return dir;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/')
    return std::string(xdg) + "/toonbox";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/')
    return std::string(home) + "/.cache/toonbox";
  return "";
}

bool make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string part = path.substr(0, i);
      if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string gpu_algo_identity(int device) {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return "";
  }
  char uuid[40];
  for (int i = 0; i < 16; ++i) std::snprintf(uuid + 2 * i, 3, "%02x", static_cast<unsigned char>(prop.uuid.bytes[i]));
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  return std::string(prop.name) + " | GPU-" + uuid + " | sm " + std::to_string(prop.major) + "." +
         std::to_string(prop.minor) + " | driver " + std::to_string(driver) + " | cudart " +
         std::to_string(runtime) + " | cudnn " + std::to_string(cudnnGetVersion()) + " | key " +
         std::to_string(sizeof(ConvAlgoKey));
}

ConvAlgoDiskFile ConvAlgoDiskFile::for_identity(const std::string& identity) {
  const std::string folder = cache_folder();
  if (folder.empty() || identity.empty()) return ConvAlgoDiskFile("", identity);
  char name[64];
  std::snprintf(name, sizeof(name), "/cudnn-algos-%016llx.bin", static_cast<unsigned long long>(fnv1a(identity)));
  return ConvAlgoDiskFile(folder + name, identity);
}

std::string ConvAlgoDiskFile::header() const { return "toonbox cudnn algorithms v1 | " + identity_ + "\n"; }

std::vector<std::pair<ConvAlgoKey, std::vector<ConvAlgo>>> ConvAlgoDiskFile::load() {
  std::vector<std::pair<ConvAlgoKey, std::vector<ConvAlgo>>> out;
  header_ok_ = false;
  if (disabled()) return out;
  std::ifstream f(path_, std::ios::binary);
  if (!f) return out;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() > kMaxFileBytes) return out;
  const std::string want = header();
  if (data.compare(0, want.size(), want) != 0) return out;  // another GPU, driver or library
  header_ok_ = true;
  size_t pos = want.size();
  while (pos < data.size()) {
    uint32_t magic = 0, count = 0;
    ConvAlgoKey key;
    if (!get(data, &pos, &magic) || magic != kRecordMagic) break;
    if (data.size() - pos < sizeof(ConvAlgoKey)) break;
    std::memcpy(static_cast<void*>(&key), data.data() + pos, sizeof(ConvAlgoKey));
    pos += sizeof(ConvAlgoKey);
    if (!get(data, &pos, &count) || count > kMaxAlgosPerKey) break;
    if ((data.size() - pos) / kAlgoBytes < count) break;
    std::vector<ConvAlgo> ranked(count);
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; ++i) ok = get_algo(data, &pos, &ranked[i]);
    if (!ok || key.device != 0 || key.api < 0 || key.api > kMaxApi) break;
    out.emplace_back(key, std::move(ranked));
  }
  return out;
}

void ConvAlgoDiskFile::append(const ConvAlgoKey& key, const std::vector<ConvAlgo>& ranked) {
  if (disabled() || ranked.size() > kMaxAlgosPerKey) return;
  const size_t slash = path_.rfind('/');
  if (slash != std::string::npos && !make_dirs(path_.substr(0, slash))) return;
  std::string record;
  if (!header_ok_) record = header();  // a new file, or one of another identity: start it over
  put<uint32_t>(record, kRecordMagic);
  ConvAlgoKey stored = key;
  stored.device = 0;
  record.append(reinterpret_cast<const char*>(&stored), sizeof(stored));
  put<uint32_t>(record, static_cast<uint32_t>(ranked.size()));
  for (const ConvAlgo& a : ranked) put_algo(record, a);
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (header_ok_ ? O_APPEND : O_TRUNC);
  const int fd = ::open(path_.c_str(), flags, 0644);
  if (fd < 0) return;
  const ssize_t written = ::write(fd, record.data(), record.size());
  ::close(fd);
  if (written == static_cast<ssize_t>(record.size())) header_ok_ = true;
}

}  // namespace toonbox::cuda
