#include "import/ncnn/ncnn_weights.h"

#include <bit>
#include <cstring>

#include "core/dtype.h"
#include "import/ncnn/ncnn_param.h"

namespace toonbox::ncnn {

namespace {

int64_t align4(int64_t n) { return (n + 3) / 4 * 4; }

WeightStorage storage_of_tag(uint32_t tag) {
  switch (tag) {
    case kTagFloat32:
      return WeightStorage::kFloat32;
    case kTagFloat16:
      return WeightStorage::kFloat16;
    case kTagInt8:
      return WeightStorage::kInt8;
    case kTagScaledFloat32:
      return WeightStorage::kScaledFloat32;
    default:
      return WeightStorage::kTable;  // ncnn: any other non-zero tag
  }
}

}  // namespace

const char* weight_storage_name(WeightStorage s) {
  switch (s) {
    case WeightStorage::kRawFloat32:
      return "float32 (untagged)";
    case WeightStorage::kFloat32:
      return "float32";
    case WeightStorage::kFloat16:
      return "float16";
    case WeightStorage::kInt8:
      return "int8";
    case WeightStorage::kScaledFloat32:
      return "float32 (tag 0x0002C056)";
    case WeightStorage::kTable:
      return "uint8 indices into a 256-entry table";
  }
  return "?";
}

int64_t weight_bytes(const WeightRead& read, WeightStorage storage) {
  const int64_t w = read.count;
  switch (storage) {
    case WeightStorage::kRawFloat32:
      return 4 * w;
    case WeightStorage::kFloat32:
    case WeightStorage::kScaledFloat32:
      return 4 + 4 * w;
    case WeightStorage::kFloat16:
      return 4 + align4(2 * w);
    case WeightStorage::kInt8:
      return 4 + align4(w);
    case WeightStorage::kTable:
      return 4 + 256 * 4 + align4(w);
  }
  return 0;
}

uint32_t WeightReader::u32(size_t at) const { return load_u32le(b_, at); }

Status WeightReader::short_file(const WeightRead& r, const std::string& where, int64_t need,
                                WeightStorage storage, std::span<const WeightRead> later) const {
  int64_t total = need - static_cast<int64_t>(left());
  for (const WeightRead& l : later)
    total += weight_bytes(l, l.type == 1 ? WeightStorage::kRawFloat32 : last_tagged_);
  return data_loss(file_ + ": " + where + ": its " + r.what + " (" + std::to_string(r.count) +
                   " values, " + weight_storage_name(storage) + ") need " + std::to_string(need) +
                   " bytes at offset " + std::to_string(p_) + ", got " + std::to_string(left()) +
                   " left: the file is " + std::to_string(total) +
                   " bytes short of what the params need (counting the later tagged arrays as " +
                   weight_storage_name(last_tagged_) + ")");
}

Result<WeightArray> WeightReader::read(const WeightRead& r, const std::string& where,
                                       std::span<const WeightRead> later) {
  WeightArray out;
  if (r.count <= 0 || r.count > (int64_t{1} << 40))
    return data_loss(file_ + ": " + where + ": got " + std::to_string(r.count) + " " + r.what +
                     " values, expected a positive count");
  if (r.type == 1) {
    out.storage = WeightStorage::kRawFloat32;
  } else {
    if (left() < 4) return short_file(r, where, weight_bytes(r, last_tagged_), last_tagged_, later);
    out.storage = storage_of_tag(u32(p_));
  }
  const int64_t need = weight_bytes(r, out.storage);
  if (need > static_cast<int64_t>(left())) return short_file(r, where, need, out.storage, later);
  const size_t begin = p_ + (r.type == 1 ? 0 : 4);
  const auto n = static_cast<size_t>(r.count);
  out.values.resize(n);
  const auto* bytes = reinterpret_cast<const uint8_t*>(b_.data()) + begin;
  switch (out.storage) {
    case WeightStorage::kRawFloat32:
    case WeightStorage::kFloat32:
    case WeightStorage::kScaledFloat32:
      for (size_t i = 0; i < n; ++i) out.values[i] = std::bit_cast<float>(u32(begin + 4 * i));
      break;
    case WeightStorage::kFloat16:
      for (size_t i = 0; i < n; ++i)
        out.values[i] =
            half_to_float(static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
      break;
    case WeightStorage::kInt8:
      for (size_t i = 0; i < n; ++i)
        out.values[i] = static_cast<float>(static_cast<int8_t>(bytes[i]));
      break;
    case WeightStorage::kTable: {
      float table[256];
      for (int k = 0; k < 256; ++k) table[k] = std::bit_cast<float>(u32(begin + 4 * k));
      for (size_t i = 0; i < n; ++i) out.values[i] = table[bytes[1024 + i]];
      break;
    }
  }
  if (r.type != 1) last_tagged_ = out.storage;
  p_ += static_cast<size_t>(need);
  return out;
}

}  // namespace toonbox::ncnn
