#include "folder/folder_shard.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace toonbox::folder {

namespace {

// The whole of `text` as a non-negative integer no larger than `max`.
std::optional<long long> whole_number(const char* text, long long max) {
  if (!text || !*text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0 || v > max || !std::isdigit(static_cast<unsigned char>(text[0])))
    return std::nullopt;
  return v;
}

Result<Shard> make_shard(long long index, long long count, std::string source, const std::string& what) {
  if (count < 1 || count > kMaxShards)
    return invalid_argument(what + ": the shard count must be 1.." + std::to_string(kMaxShards) + ", got " +
                            std::to_string(count));
  if (index >= count)
    return invalid_argument(what + ": shard index " + std::to_string(index) + " is not below the count " +
                            std::to_string(count) + " (shards are numbered 0.." + std::to_string(count - 1) + ")");
  return Shard{static_cast<int>(index), static_cast<int>(count), std::move(source)};
}

}  // namespace

uint64_t stable_path_hash(const std::string& relative) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (unsigned char c : relative) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int shard_of(const std::string& relative, int count) {
  return static_cast<int>(stable_path_hash(relative) % static_cast<uint64_t>(std::max(1, count)));
}

Result<Shard> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string what = "--shard '" + text.substr(0, 40) + "'";
  if (slash == std::string::npos) return invalid_argument(what + " must be K/N, e.g. 0/4 (shards 0..N-1 of N)");
  const auto index = whole_number(text.substr(0, slash).c_str(), kMaxShards);
  const auto count = whole_number(text.substr(slash + 1).c_str(), kMaxShards);
  if (!index || !count) return invalid_argument(what + " must be K/N with whole numbers, e.g. 0/4");
  return make_shard(*index, *count, "--shard", what);
}

Result<std::optional<Shard>> shard_from_environment(const GetEnv& getenv) {
  const char* override_count = getenv("TOONBOX_SHARD_COUNT");
  auto count_from = [&](const char* fallback_name, std::string* what) -> std::optional<long long> {
    if (override_count) {
      *what += ", TOONBOX_SHARD_COUNT=" + std::string(override_count).substr(0, 20);
      return whole_number(override_count, kMaxShards);
    }
    const char* v = fallback_name ? getenv(fallback_name) : nullptr;
    if (v) *what += ", " + std::string(fallback_name) + "=" + std::string(v).substr(0, 20);
    return whole_number(v, kMaxShards);
  };
  if (const char* k8s = getenv("JOB_COMPLETION_INDEX")) {
    std::string what = "JOB_COMPLETION_INDEX=" + std::string(k8s).substr(0, 20);
    const auto index = whole_number(k8s, kMaxShards);
    const auto count = count_from(nullptr, &what);
    if (!index) return invalid_argument(what + ": not a shard index");
    if (!count)
      return invalid_argument(what + ": an Indexed Job does not tell its pods the completion count; set "
                                     "TOONBOX_SHARD_COUNT to the Job's completions (or pass --shard K/N)");
    TB_ASSIGN_OR_RETURN(Shard s, make_shard(*index, *count, "JOB_COMPLETION_INDEX", what));
    return std::optional<Shard>(s);
  }
  if (const char* slurm = getenv("SLURM_ARRAY_TASK_ID")) {
    std::string what = "SLURM_ARRAY_TASK_ID=" + std::string(slurm).substr(0, 20);
    const auto index = whole_number(slurm, kMaxShards);
    if (!index) return invalid_argument(what + ": not a shard index");
    if (!override_count) {
      // The array's own count only means N shards when the array is 0..N-1: a
      // resubmitted single task (--array=2) would otherwise count as shard 0 of 1.
      const auto min = whole_number(getenv("SLURM_ARRAY_TASK_MIN"), kMaxShards);
      const auto max = whole_number(getenv("SLURM_ARRAY_TASK_MAX"), kMaxShards);
      const auto n = whole_number(getenv("SLURM_ARRAY_TASK_COUNT"), kMaxShards);
      if (!n || !min || !max || *min != 0 || *max + 1 != *n)
        return invalid_argument(what + ": the array is not 0..N-1 (SLURM_ARRAY_TASK_MIN/MAX/COUNT), so its "
                                       "size is not the shard count; set TOONBOX_SHARD_COUNT=N (e.g. when "
                                       "resubmitting one task) or pass --shard K/N");
    }
    const auto count = count_from("SLURM_ARRAY_TASK_COUNT", &what);
    if (!count) return invalid_argument(what + ": no shard count");
    TB_ASSIGN_OR_RETURN(Shard s, make_shard(*index, *count, "SLURM_ARRAY_TASK_ID", what));
    return std::optional<Shard>(s);
  }
  return std::optional<Shard>();
}

std::function<bool(const std::string& relative)> shard_filter(const Shard& shard) {
  return [shard](const std::string& relative) { return shard_of(relative, shard.count) == shard.index; };
}

}  // namespace toonbox::folder
