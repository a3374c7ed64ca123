// The ncnn .bin weight file: arrays one after another in the order the layers' load_model
// reads them, each as ncnn's ModelBinFromDataReader::load(w, type) reads it.
//
//   type 1  w raw little-endian float32, no header (biases, slopes, norm parameters)
//   type 0  a 4-byte storage tag, then:
//             0x00000000  w float32
//             0x01306B47  w float16, padded to 4 bytes
//             0x000D4B38  w int8, padded to 4 bytes (quantized layers; not dequantized here)
//             0x0002C056  w float32 (ncnn's "raw data with extra scaling")
//             any other   a 256-entry float32 table, then w uint8 indices into it, padded
//                         to 4 bytes (ncnn2table's quantized weights)
//
// The file is untrusted: every array's size is checked against the bytes left before
// anything is allocated, and a file that ends early says which layer's array did not fit
// and by how much the file is short.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::ncnn {

enum class WeightStorage : uint8_t {
  kRawFloat32,
  kFloat32,
  kFloat16,
  kInt8,
  kScaledFloat32,
  kTable
};
const char* weight_storage_name(WeightStorage s);

inline constexpr uint32_t kTagFloat32 = 0x00000000;
inline constexpr uint32_t kTagFloat16 = 0x01306B47;
inline constexpr uint32_t kTagInt8 = 0x000D4B38;
inline constexpr uint32_t kTagScaledFloat32 = 0x0002C056;

// One ModelBin::load call a layer makes: `count` values of `type` (0 tagged, 1 raw).
struct WeightRead {
  int64_t count = 0;
  int type = 0;
  std::string what;  // "weights", "bias", ... for messages
};

struct WeightArray {
  WeightStorage storage = WeightStorage::kRawFloat32;
  std::vector<float> values;  // kInt8: the stored integers -128..127, not dequantized
};

// The bytes one read takes when stored as `storage` (the tag included).
int64_t weight_bytes(const WeightRead& read, WeightStorage storage);

class WeightReader {
 public:
  WeightReader(const std::string& bytes, std::string file) : b_(bytes), file_(std::move(file)) {}

  // Reads one array for `where` (a layer description). `later` is every read the layers
  // after this one will make: when the file ends early, the error says how many bytes
  // short it is in all (the later tagged arrays counted in the storage of the last one
  // read, the best guess for files written by one converter).
  Result<WeightArray> read(const WeightRead& r, const std::string& where,
                           std::span<const WeightRead> later);
  size_t offset() const { return p_; }
  size_t left() const { return b_.size() - p_; }

 private:
  Status short_file(const WeightRead& r, const std::string& where, int64_t need,
                    WeightStorage storage, std::span<const WeightRead> later) const;
  uint32_t u32(size_t at) const;

  const std::string& b_;
  std::string file_;
  size_t p_ = 0;
  WeightStorage last_tagged_ = WeightStorage::kFloat32;
};

}  // namespace toonbox::ncnn
