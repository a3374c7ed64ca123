#include "import/tfjs/tfjs_weights.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/dtype.h"

namespace toonbox::tfjs {

namespace fs = std::filesystem;

namespace {

uint16_t load_u16le(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

uint32_t load_u32le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// The dequantized value in double, as JS computes `v * scale + min`. Kept in its own
// function with separate statements so the compiler does not contract it into an FMA
// (ISO C++ mode already disables contraction; this documents the requirement).
double affine(uint32_t q, double scale, double min) {
  const double scaled = static_cast<double>(q) * scale;
  return scaled + min;
}

// JavaScript's Math.round: nearest integer, ties toward +infinity.
double js_round(double x) {
  const double f = std::floor(x);
  return x - f >= 0.5 ? f + 1.0 : f;
}

bool is_inside(const fs::path& dir, const fs::path& p) {
  auto d = dir.begin(), q = p.begin();
  for (; d != dir.end(); ++d, ++q) {
    if (q == p.end() || *d != *q) return false;
  }
  return q != p.end();  // strictly below dir
}

}  // namespace

Result<fs::path> resolve_shard_path(const fs::path& dir, const std::string& relative) {
  const std::string what = "shard path '" + relative + "'";
  if (relative.empty()) return data_loss(what + ": empty");
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos)
    return data_loss(what + ": contains a NUL or backslash");
  if (relative.find("://") != std::string::npos)
    return unimplemented(what + ": URLs are not supported; shards must be local files");
  const fs::path rel(relative);
  if (rel.is_absolute() || relative[0] == '/')
    return data_loss(what +
                     ": absolute paths are not allowed; shards must lie in the model folder");
  for (const fs::path& part : rel) {
    if (part == "..")
      return data_loss(what + ": '..' is not allowed; shards must lie in the model folder");
  }
  std::error_code ec;
  const fs::path full = dir / rel;
  const fs::path canonical = fs::canonical(full, ec);
  if (ec) return not_found(what + ": cannot open " + full.string() + ": " + ec.message());
  if (!is_inside(dir, canonical)) {
    return data_loss(what + ": resolves to " + canonical.string() + ", outside the model folder " +
                     dir.string());
  }
  if (!fs::is_regular_file(canonical, ec))
    return data_loss(what + ": " + canonical.string() + " is not a regular file");
  return canonical;
}

Result<Tensor> decode_weight(const TfWeightSpec& spec, const uint8_t* data, size_t size) {
  if (static_cast<int64_t>(size) != spec.stored_bytes) {
    return internal_error("weight '" + spec.name + "': got " + std::to_string(size) +
                          " bytes, expected " + std::to_string(spec.stored_bytes));
  }
  TB_ASSIGN_OR_RETURN(Tensor t, Tensor::create(spec.dtype, spec.shape));
  const int64_t n = t.numel();
  switch (spec.quantization) {
    case Quantization::kNone:
      // float32 and int32 both: 4 little-endian bytes a value.
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t bits = load_u32le(data + 4 * i);
        std::memcpy(static_cast<uint8_t*>(t.raw()) + 4 * i, &bits, 4);
      }
      break;
    case Quantization::kFloat16: {
      float* out = t.data<float>();
      for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(load_u16le(data + 2 * i));
      break;
    }
    case Quantization::kUInt8:
    case Quantization::kUInt16: {
      const bool u8 = spec.quantization == Quantization::kUInt8;
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t q = u8 ? data[i] : load_u16le(data + 2 * i);
        const double v = affine(q, spec.scale, spec.min);
        if (spec.dtype == DType::kFloat32) {
          t.data<float>()[i] = static_cast<float>(v);
        } else {
          const double r = js_round(v);
          if (!(r >= INT32_MIN && r <= INT32_MAX)) {
            return data_loss("weight '" + spec.name + "': dequantized value " + std::to_string(r) +
                             " does not fit int32");
          }
          t.data<int32_t>()[i] = static_cast<int32_t>(r);
        }
      }
      break;
    }
  }
  return t;
}

Result<std::map<std::string, Tensor>> load_weights(const TfjsModel& model,
                                                   int64_t max_total_bytes) {
  return load_weights(model.dir, model.groups, max_total_bytes);
}

Result<std::map<std::string, Tensor>> load_weights(const fs::path& dir,
                                                   const std::vector<TfWeightGroup>& groups,
                                                   int64_t max_total_bytes) {
  int64_t total = 0;
  for (const TfWeightGroup& g : groups) {
    total += g.stored_bytes;
    if (total > max_total_bytes) {
      return resource_exhausted("the weights manifest describes more than " +
                                std::to_string(max_total_bytes) + " bytes of weights");
    }
  }
  std::map<std::string, Tensor> weights;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const TfWeightGroup& group = groups[gi];
    std::string files;  // for messages
    std::vector<fs::path> paths;
    int64_t on_disk = 0;
    for (const std::string& rel : group.paths) {
      TB_ASSIGN_OR_RETURN(fs::path p, resolve_shard_path(dir, rel));
      std::error_code ec;
      const uintmax_t size = fs::file_size(p, ec);
      if (ec) return not_found(p.string() + ": " + ec.message());
      on_disk += static_cast<int64_t>(size);
      files += (files.empty() ? "" : ", ") + p.string();
      paths.push_back(std::move(p));
      if (on_disk > max_total_bytes)
        return resource_exhausted(files + ": shards are larger than " +
                                  std::to_string(max_total_bytes) + " bytes");
    }
    if (on_disk != group.stored_bytes) {
      return data_loss("weights group " + std::to_string(gi) + " (" + files + "): got " +
                       std::to_string(on_disk) + " bytes, expected " +
                       std::to_string(group.stored_bytes) +
                       " (the sum of the manifest's weight sizes)" +
                       (on_disk < group.stored_bytes ? "; the shard is truncated" : ""));
    }
    std::vector<uint8_t> buffer;
    try {
      buffer.resize(static_cast<size_t>(on_disk));
    } catch (const std::bad_alloc&) {
      return out_of_memory("cannot allocate " + std::to_string(on_disk) + " bytes for weights");
    }
    size_t offset = 0;
    for (const fs::path& p : paths) {
      std::ifstream in(p, std::ios::binary);
      if (!in) return not_found(p.string() + ": cannot open");
      std::error_code ec;
      const size_t want = static_cast<size_t>(fs::file_size(p, ec));
      if (ec) return not_found(p.string() + ": " + ec.message());
      if (want > buffer.size() - offset) return data_loss(p.string() + ": file grew while reading");
      in.read(reinterpret_cast<char*>(buffer.data() + offset), static_cast<std::streamsize>(want));
      if (static_cast<size_t>(in.gcount()) != want) {
        return data_loss(p.string() + ": got " + std::to_string(in.gcount()) + " bytes, expected " +
                         std::to_string(want) + "; the shard is truncated");
      }
      offset += want;
    }
    if (offset != buffer.size())
      return data_loss(files + ": got " + std::to_string(offset) + " bytes, expected " +
                       std::to_string(buffer.size()));
    size_t pos = 0;
    for (const TfWeightSpec& spec : group.weights) {
      TB_ASSIGN_OR_RETURN(Tensor t, decode_weight(spec, buffer.data() + pos,
                                                  static_cast<size_t>(spec.stored_bytes)));
      pos += static_cast<size_t>(spec.stored_bytes);
      weights.emplace(spec.name, std::move(t));
    }
  }
  return weights;
}

}  // namespace toonbox::tfjs
