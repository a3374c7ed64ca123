#include "backend/cuda/conv_algo_cache.h"

#include "backend/cuda/conv_algo_disk_cache.h"
#include "backend/cuda/counters.h"

namespace toonbox::cuda {

Counters& counters() {
  static Counters c;
  return c;
}

namespace {

// The on-disk file of each device, opened (and its records merged into `map`) on the
// first lookup for that device. Called with the cache's mutex held.
template <typename Map>
ConvAlgoDiskFile& disk_file(Map& map, int32_t device) {
  static std::unordered_map<int32_t, ConvAlgoDiskFile> files;
  auto it = files.find(device);
  if (it != files.end()) return it->second;
  ConvAlgoDiskFile file = ConvAlgoDiskFile::for_identity(gpu_algo_identity(device));
  for (auto& [key, ranked] : file.load()) {
    ConvAlgoKey k = key;
    k.device = device;
    map[k] = std::move(ranked);
    counters().conv_algo_disk_loaded.fetch_add(1);
  }
  return files.emplace(device, std::move(file)).first->second;
}

}  // namespace

ConvAlgoCache& ConvAlgoCache::instance() {
  static ConvAlgoCache cache;
  return cache;
}

size_t ConvAlgoCache::Hash::operator()(const ConvAlgoKey& k) const {
  // FNV-1a over the bytes, as PyTorch's ParamsHash.
  const auto* bytes = reinterpret_cast<const unsigned char*>(&k);
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < sizeof(k); ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

std::optional<std::vector<ConvAlgo>> ConvAlgoCache::find(const ConvAlgoKey& key, bool count_hit) {
  std::lock_guard<std::mutex> lock(mutex_);
  disk_file(map_, key.device);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  if (count_hit) counters().conv_algo_cache_hits.fetch_add(1);
  return it->second;
}

void ConvAlgoCache::insert(const ConvAlgoKey& key, std::vector<ConvAlgo> ranked) {
  std::lock_guard<std::mutex> lock(mutex_);
  disk_file(map_, key.device).append(key, ranked);
  map_[key] = std::move(ranked);
}

size_t ConvAlgoCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return map_.size();
}

}  // namespace toonbox::cuda
