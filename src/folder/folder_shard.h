// Splitting one folder run across machines: `--shard K/N` keeps the images whose relative
// path hashes to K (mod N). The hash is of the path alone (FNV-1a, 64 bit: the same on
// every machine and every build, unlike std::hash), so every input belongs to exactly one
// shard and adding files never moves an existing file to another shard: a rerun after
// new photos arrived only does the new ones, each in its own shard.
//
// Without --shard, a job array's own variables name the shard: Kubernetes Indexed Jobs
// set JOB_COMPLETION_INDEX (the count is not in the environment: the manifest passes
// TOONBOX_SHARD_COUNT = completions), Slurm arrays SLURM_ARRAY_TASK_ID and
// SLURM_ARRAY_TASK_COUNT (the array must be 0..N-1; TOONBOX_SHARD_COUNT overrides the
// count, which resubmitting one task of an array needs).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "folder/folder_plan.h"

namespace toonbox::folder {

struct Shard {
  int index = 0;  // 0..count-1
  int count = 1;
  std::string source;  // "--shard", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"
  std::string label() const { return std::to_string(index) + "/" + std::to_string(count); }
};

inline constexpr int kMaxShards = 100000;

// FNV-1a over the bytes of `relative` ('/'-separated, as FolderPlan gives it).
uint64_t stable_path_hash(const std::string& relative);
int shard_of(const std::string& relative, int count);

// "K/N" with 0 <= K < N <= kMaxShards.
Result<Shard> parse_shard(const std::string& text);

// The shard the environment names, if any (`getenv` is injectable for tests). An error
// when the variables are there but do not make a shard (a count missing, an index out of
// range, an array that does not start at 0).
using GetEnv = std::function<const char*(const char*)>;
Result<std::optional<Shard>> shard_from_environment(const GetEnv& getenv);

// FolderPlanOptions::keep for this shard.
std::function<bool(const std::string& relative)> shard_filter(const Shard& shard);

}  // namespace toonbox::folder
