// toonbox folder-status OUTDIR: merges the shard records of a folder run split across
// machines (folder/shard_status.h) and lists what is missing. Exit 0 when every image is
// done, 1 when some are missing (or the records cannot be read), 2 for the command line.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_help.h"
#include "core/json_text.h"
#include "folder/shard_status.h"

namespace toonbox::cli {
namespace {

// The synopsis and the exit codes; the option list between them is generated from
// folder_status_options() (option_help.h).
constexpr char kSynopsis[] =
    "usage: toonbox folder-status OUTDIR [--input DIR] [--json] [--list N]\n"
    "\n"
    "Reads OUTDIR/.toonbox-shards/ (written by `toonbox cartoonize DIR -o OUTDIR --shard K/N`,\n"
    "or in a Slurm array / Kubernetes Indexed Job), re-plans DIR and checks every output:\n"
    "per shard what is done, its last run (state, host, time) and the inputs still missing.\n"
    "\n";

constexpr char kExitCodes[] =
    "\n"
    "exit codes: 0 complete, 1 images missing or no readable records, 2 usage error\n";

std::string usage() { return kSynopsis + option_list(folder_status_options()) + kExitCodes; }

}  // namespace

// The options, also for `toonbox completion` and the option list of --help.
std::vector<ArgSpec> folder_status_options() {
  return {{"--input", true, "", false, "DIR", "the input folder's path on this machine (default: the one recorded)"},
          {"--json", false, "", false, "", "one JSON object (every missing input listed)"},
          {"--list", true, "", false, "N", "missing inputs listed per shard (default 20)"},
          {"--help", false, "-h"}};
}

int cmd_folder_status(const std::vector<std::string>& args) {
  auto parsed = parse_args(args, folder_status_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox folder-status: %s\n\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  if (parsed->has("--help")) {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (parsed->positional.size() != 1) {
    std::fprintf(stderr, "toonbox folder-status: need exactly one OUTDIR\n\n%s", usage().c_str());
    return kExitUsage;
  }
  int list = 20;
  if (parsed->has("--list")) {
    try {
      list = std::stoi(parsed->get("--list"));
    } catch (...) {
      list = -1;
    }
    if (list < 0) {
      std::fprintf(stderr, "toonbox folder-status: --list must be a whole number\n");
      return kExitUsage;
    }
  }
  const bool json = parsed->has("--json");
  auto status = folder::folder_status(parsed->positional[0], parsed->get("--input"));
  if (!status.is_ok()) {
    if (json)
      std::printf("%s\n", json_text(nlohmann::ordered_json{{"ok", false}, {"error", status.status().message()}}).c_str());
    std::fprintf(stderr, "toonbox folder-status: %s\n", status.status().message().c_str());
    return exit_code_for(status.status());
  }
  if (json) {
    std::printf("%s\n", json_text(folder::folder_status_json(status.value()), 2).c_str());
  } else {
    std::fputs(folder::folder_status_text(status.value(), list).c_str(), stdout);
  }
  return status->done == status->expected ? kExitOk : kExitFailure;
}

}  // namespace toonbox::cli
