#include "folder/shard_status.h"

#include <time.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "image/image_io.h"

namespace toonbox::folder {

namespace fs = std::filesystem;

namespace {

// Records are small; anything bigger is not one of ours.
constexpr std::uintmax_t kMaxRecordBytes = 64u << 20;

std::optional<nlohmann::json> read_record(const fs::path& path, std::string* why) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxRecordBytes) {
    *why = path.string() + ": unreadable or over 64 MiB";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("shard") || !j.contains("shards") ||
      !j["shard"].is_number_integer() || !j["shards"].is_number_integer() || !j.contains("input_dir") ||
      !j["input_dir"].is_string()) {
    *why = path.string() + ": not a shard record (expected JSON with shard, shards, input_dir)";
    return std::nullopt;
  }
  return j;
}

std::string string_or(const nlohmann::json& j, const char* key, const std::string& fallback) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

bool bool_or(const nlohmann::json& j, const char* key, bool fallback) {
  return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

}  // namespace

std::string shard_record_path(const std::string& output_dir, const Shard& shard) {
  return (fs::path(output_dir) / kShardRecordFolder /
          ("shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".json"))
      .string();
}

std::string utc_now_text() {
  const time_t now = time(nullptr);
  struct tm tm {};
  gmtime_r(&now, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status write_shard_record(const std::string& output_dir, const Shard& shard, const nlohmann::ordered_json& record) {
  const std::string path = shard_record_path(output_dir, shard);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return invalid_argument(fs::path(path).parent_path().string() + ": cannot create the folder: " + ec.message());
  const std::string text = record.dump(2) + "\n";
  return image::atomic_write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
}

Result<FolderStatus> folder_status(const std::string& output_dir, const std::string& input_override) {
  FolderStatus st;
  st.output_dir = output_dir;
  const fs::path folder = fs::path(output_dir) / kShardRecordFolder;
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return not_found(output_dir + ": no shard records (" + folder.string() +
                     " is missing); they are written by `toonbox cartoonize DIR -o OUTDIR --shard K/N` (or in a "
                     "Slurm array / Kubernetes Indexed Job)");
  static const std::regex kName(R"(shard-(\d+)-of-(\d+)\.json)");
  std::map<int, std::map<int, nlohmann::json>> by_count;  // N -> K -> record
  std::map<int, std::string> newest_at;                   // N -> latest updated_utc
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!std::regex_match(name, kName)) continue;
    std::string why;
    auto record = read_record(it->path(), &why);
    if (!record) {
      st.notes.push_back(why);
      continue;
    }
    const int k = (*record)["shard"].get<int>(), n = (*record)["shards"].get<int>();
    if (n < 1 || n > kMaxShards || k < 0 || k >= n) {
      st.notes.push_back(it->path().string() + ": shard " + std::to_string(k) + " of " + std::to_string(n) + " is not valid");
      continue;
    }
    by_count[n][k] = *record;
    newest_at[n] = std::max(newest_at[n], string_or(*record, "updated_utc", ""));
  }
  if (by_count.empty()) return not_found(folder.string() + ": no readable shard records");
  // The shard count of the newest record wins; older splits are mentioned, not merged
  // (the files on disk are checked either way).
  int count = by_count.begin()->first;
  for (const auto& [n, at] : newest_at)
    if (at > newest_at[count]) count = n;
  for (const auto& [n, records] : by_count)
    if (n != count)
      st.notes.push_back(std::to_string(records.size()) + " record(s) of an earlier split into " + std::to_string(n) +
                         " shards were ignored (the newest records are of " + std::to_string(count) + ")");
  const auto& records = by_count[count];
  const nlohmann::json& any = records.begin()->second;
  st.input_dir = input_override.empty() ? string_or(any, "input_dir", "") : input_override;
  for (const auto& [k, r] : records)
    if (input_override.empty() && string_or(r, "input_dir", "") != st.input_dir)
      return invalid_argument("shard records disagree on the input folder: " + st.input_dir + " and " +
                              string_or(r, "input_dir", "") + " (pass --input DIR)");
  if (!fs::is_directory(st.input_dir, ec))
    return not_found("the input folder " + st.input_dir + " (from the shard records) is not visible here; pass "
                     "--input DIR with its path on this machine");

  FolderPlanOptions plan_options;
  plan_options.input_dir = st.input_dir;
  plan_options.output_dir = output_dir;
  plan_options.recursive = bool_or(any, "recursive", false);
  plan_options.allow_inside = bool_or(any, "allow_inside", false);
  plan_options.skip_existing = true;  // existing outputs are what we are counting
  plan_options.format = image::format_from_extension("x." + string_or(any, "format", "png"));
  if (plan_options.format == image::ImageFormat::kUnknown)
    return invalid_argument("shard records name an unknown output format");
  TB_ASSIGN_OR_RETURN(FolderPlan plan, plan_folder(plan_options));

  st.shard_count = count;
  st.shards.resize(count);
  for (int k = 0; k < count; ++k) {
    st.shards[k].index = k;
    auto it = records.find(k);
    if (it != records.end()) {
      st.shards[k].has_record = true;
      st.shards[k].record = it->second;
    }
  }
  for (const PlannedImage& image : plan.already_done) {
    ShardStatus& s = st.shards[shard_of(image.relative, count)];
    ++s.expected;
    ++s.done;
  }
  for (const PlannedImage& image : plan.todo) {
    ShardStatus& s = st.shards[shard_of(image.relative, count)];
    ++s.expected;
    s.missing.push_back(image.relative);
  }
  for (const ShardStatus& s : st.shards) {
    st.expected += s.expected;
    st.done += s.done;
  }
  return st;
}

nlohmann::ordered_json folder_status_json(const FolderStatus& s) {
  nlohmann::ordered_json shards = nlohmann::ordered_json::array();
  for (const ShardStatus& sh : s.shards) {
    nlohmann::ordered_json j = {{"shard", sh.index}, {"expected", sh.expected}, {"done", sh.done},
                                {"missing", sh.missing}};
    if (sh.has_record) {
      j["state"] = string_or(sh.record, "state", "unknown");
      j["host"] = string_or(sh.record, "host", "");
      j["updated_utc"] = string_or(sh.record, "updated_utc", "");
      if (sh.record.contains("summary")) j["last_summary"] = sh.record["summary"];
    } else {
      j["state"] = "no record";
    }
    shards.push_back(std::move(j));
  }
  return {{"output_dir", s.output_dir}, {"input_dir", s.input_dir},  {"shards", s.shard_count},
          {"expected", s.expected},     {"done", s.done},            {"missing", s.expected - s.done},
          {"complete", s.expected == s.done}, {"per_shard", shards}, {"notes", s.notes}};
}

std::string folder_status_text(const FolderStatus& s, int max_listed) {
  std::ostringstream out;
  out << s.output_dir << ": " << s.done << " of " << s.expected << " images done in " << s.shard_count << " shard"
      << (s.shard_count == 1 ? "" : "s") << " (input " << s.input_dir << ")"
      << (s.expected == s.done ? ", complete" : ", " + std::to_string(s.expected - s.done) + " missing") << "\n";
  for (const ShardStatus& sh : s.shards) {
    out << "  shard " << sh.index << "/" << s.shard_count << ": " << sh.done << "/" << sh.expected << " done, ";
    if (sh.has_record) {
      out << "last run " << string_or(sh.record, "state", "unknown") << " on " << string_or(sh.record, "host", "?")
          << " at " << string_or(sh.record, "updated_utc", "?");
    } else {
      out << "never recorded (not started?)";
    }
    out << "\n";
    for (size_t i = 0; i < sh.missing.size() && static_cast<int>(i) < max_listed; ++i)
      out << "    missing: " << sh.missing[i] << "\n";
    if (static_cast<int>(sh.missing.size()) > max_listed)
      out << "    ... and " << sh.missing.size() - max_listed << " more (--json lists all)\n";
  }
  for (const std::string& n : s.notes) out << "note: " << n << "\n";
  return out.str();
}

}  // namespace toonbox::folder
