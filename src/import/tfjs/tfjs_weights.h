// Weight shards of a TF.js graph model: path checks, size checks, decoding.
//
// Each weightsManifest group lists shard files that, concatenated in order, hold the
// group's weights back to back. Quantized weights decode exactly as TF.js does, so the
// imported graph computes with the very values TF.js would:
//   float16         -> float32 exactly
//   uint8 / uint16  -> (float)(q * scale + min), the arithmetic in double, rounded once
//   int32 + uintN   -> Math.round(q * scale + min) (ties toward +infinity)
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "import/tfjs/tfjs_model.h"

namespace toonbox::tfjs {

inline constexpr int64_t kDefaultMaxWeightBytes = int64_t{4} << 30;

// Resolves shard path `relative` inside `dir` (already canonical). Rejects absolute
// paths, URLs, "..", and anything whose canonical form (symlinks resolved) lies outside
// `dir`.
Result<std::filesystem::path> resolve_shard_path(const std::filesystem::path& dir,
                                                 const std::string& relative);

// Decodes one weight from exactly spec.stored_bytes bytes (little-endian).
Result<Tensor> decode_weight(const TfWeightSpec& spec, const uint8_t* data, size_t size);

// Reads every group's shards, checks their total size against the manifest and decodes
// all weights. Keys are weight names.
Result<std::map<std::string, Tensor>> load_weights(const TfjsModel& model, int64_t max_total_bytes);
// The same for any model.json's manifest (`dir`: the canonical model folder).
Result<std::map<std::string, Tensor>> load_weights(const std::filesystem::path& dir,
                                                   const std::vector<TfWeightGroup>& groups,
                                                   int64_t max_total_bytes);

}  // namespace toonbox::tfjs
