#include "doctor/doctor_environment.h"

#include <unistd.h>

extern char** environ;

namespace toonbox::doctor {

std::vector<std::string> split_path_list(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(':', start);
    if (end == std::string::npos) end = value.size();
    if (end > start) out.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

DoctorEnvironment DoctorEnvironment::from_process() {
  DoctorEnvironment env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) env.vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  env.libraries.dirs = env.path_list("TOONBOX_DOCTOR_LIB_PATH");
  env.libraries.exclusive = env.var("TOONBOX_DOCTOR_LIB_PATH_ONLY").value_or("") == "1";
  if (auto root = env.var("TOONBOX_DOCTOR_ROOT"); root && !root->empty()) env.root = *root;
  return env;
}

std::string DoctorEnvironment::host_path(const std::string& absolute) const {
  if (root.empty() || root == "/") return absolute;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r + absolute;
}

std::optional<std::string> DoctorEnvironment::var(const std::string& name) const {
  auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> DoctorEnvironment::path_list(const std::string& name) const {
  return split_path_list(var(name).value_or(""));
}

}  // namespace toonbox::doctor
