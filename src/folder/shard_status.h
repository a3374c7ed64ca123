// The record each shard of a folder run keeps in OUTDIR/.toonbox-shards/ (one file per
// shard, rewritten atomically at the start and the end of each attempt, so a shard
// resumed on another machine replaces its own file and nobody else's), and
// `toonbox folder-status OUTDIR`: the merge of those records with what is actually on
// disk. The disk decides: an output counts as done when its file exists (writes are
// atomic), whatever a record says, so a shard that was killed mid-run is reported with
// exactly the images it did not write.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "folder/folder_shard.h"

namespace toonbox::folder {

inline constexpr const char* kShardRecordFolder = ".toonbox-shards";

// OUTDIR/.toonbox-shards/shard-K-of-N.json
std::string shard_record_path(const std::string& output_dir, const Shard& shard);

// "2026-12-02T01:02:03Z"
std::string utc_now_text();

// Creates the folder and writes `record` (an object) atomically.
Status write_shard_record(const std::string& output_dir, const Shard& shard, const nlohmann::ordered_json& record);

struct ShardStatus {
  int index = 0;
  bool has_record = false;
  nlohmann::json record;  // the shard's own last record (state, host, updated_utc, summary)
  int expected = 0, done = 0;
  std::vector<std::string> missing;  // relative input paths whose output does not exist
};

struct FolderStatus {
  std::string output_dir, input_dir;
  int shard_count = 0;
  int expected = 0, done = 0;
  std::vector<ShardStatus> shards;  // 0..shard_count-1
  std::vector<std::string> notes;   // records of another shard count, unreadable records
};

// Reads the records, re-plans the input folder they name (or `input_override`) with the
// options they were run with, and checks every expected output. Errors: no records
// (kNotFound), an input folder that is not visible here, records that disagree on it.
Result<FolderStatus> folder_status(const std::string& output_dir, const std::string& input_override = "");

nlohmann::ordered_json folder_status_json(const FolderStatus& s);
// A table per shard and the missing inputs (at most `max_listed` per shard).
std::string folder_status_text(const FolderStatus& s, int max_listed = 20);

}  // namespace toonbox::folder
