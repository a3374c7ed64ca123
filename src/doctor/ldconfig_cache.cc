#include "doctor/ldconfig_cache.h"

#include <sstream>

#include "doctor/subprocess.h"

namespace toonbox::doctor {
namespace {

// ldconfig's name for this process's ABI inside the parentheses.
const char* host_abi_tag() {
#if defined(__x86_64__)
  return "x86-64";
#elif defined(__aarch64__)
  return "AArch64";
#else
  return "";
#endif
}

}  // namespace

LdconfigCache LdconfigCache::parse(const std::string& text) {
  LdconfigCache cache;
  std::istringstream in(text);
  const std::string abi = host_abi_tag();
  for (std::string line; std::getline(in, line);) {
    const size_t arrow = line.find(" => ");
    const size_t paren = line.find(" (");
    if (arrow == std::string::npos || paren == std::string::npos || paren > arrow) continue;
    size_t start = line.find_first_not_of(" \t");
    const std::string soname = line.substr(start, paren - start);
    const std::string tags = line.substr(paren + 2, arrow - paren - 2);
    if (!abi.empty() && tags.find(abi) == std::string::npos) continue;
    const std::string path = line.substr(arrow + 4);
    cache.entries_.emplace_back(soname, path);
  }
  return cache;
}

LdconfigCache LdconfigCache::load(const DoctorEnvironment& env) {
  if (env.ldconfig_output) return parse(*env.ldconfig_output);
  for (const char* program : {"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"}) {
    ProcessResult r = run_process({program, "-p"}, env.vars, 10);
    if (r.started && r.exit_code == 0) return parse(r.out);
  }
  return LdconfigCache{};
}

std::vector<std::string> LdconfigCache::lookup(const std::string& soname) const {
  std::vector<std::string> out;
  for (const auto& [name, path] : entries_)
    if (name == soname) out.push_back(path);
  return out;
}

std::vector<std::pair<std::string, std::string>> LdconfigCache::with_prefix(
    const std::string& prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : entries_)
    if (entry.first.compare(0, prefix.size(), prefix) == 0) out.push_back(entry);
  return out;
}

}  // namespace toonbox::doctor
