#include "engine/device_faults.h"

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace toonbox::engine {

Result<DeviceFaults::Rule> DeviceFaults::parse_rule(const std::string& text) {
  const Status bad = invalid_argument(std::string(kTestDeviceVariable) + ": rule '" + text.substr(0, 80) +
                                      "' is not W:delay=MS or W:fail-after=N[:lost|oom|error]");
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  if (parts.size() < 2 || parts.size() > 3) return bad;
  Rule r;
  try {
    if (parts[0] != "*") r.worker = std::stoi(parts[0]);
    if (parts[1].rfind("delay=", 0) == 0 && parts.size() == 2) {
      r.delay_ms = std::stoi(parts[1].substr(6));
    } else if (parts[1].rfind("fail-after=", 0) == 0) {
      r.fail_after = std::stoi(parts[1].substr(11));
      if (parts.size() == 3) {
        if (parts[2] == "oom") r.kind = StatusCode::kOutOfMemory;
        else if (parts[2] == "error") r.kind = StatusCode::kInternal;
        else if (parts[2] != "lost") return bad;
      }
    } else {
      return bad;
    }
  } catch (const std::exception&) {
    return bad;
  }
  if (r.delay_ms < 0 || r.delay_ms > 600000 || r.fail_after < -1 || r.worker < -1) return bad;
  return r;
}

Result<DeviceFaults> DeviceFaults::parse(const std::string& rules, const std::vector<std::string>& ids) {
  DeviceFaults faults;
  faults.ids_ = ids;
  if (rules.empty()) return faults;
  std::stringstream ss(rules);
  for (std::string text; std::getline(ss, text, ',');) {
    TB_ASSIGN_OR_RETURN(Rule rule, parse_rule(text));
    if (rule.worker >= static_cast<int>(ids.size()))
      return invalid_argument(std::string(kTestDeviceVariable) + ": rule '" + text + "' names worker " +
                              std::to_string(rule.worker) + " of " + std::to_string(ids.size()));
    rule.good_calls = std::make_shared<std::vector<std::atomic<int>>>(ids.size());
    faults.rules_.push_back(std::move(rule));
  }
  return faults;
}

Result<DeviceFaults> DeviceFaults::from_environment(const std::vector<std::string>& ids) {
  const char* rules = std::getenv(kTestDeviceVariable);
  return parse(rules ? rules : "", ids);
}

bool DeviceFaults::applies(size_t rule, int worker) const {
  return rules_[rule].worker < 0 || rules_[rule].worker == worker;
}

Status DeviceFaults::before_call(int worker, size_t index) const {
  const Rule& rule = rules_[index];
  if (!applies(index, worker)) return Status::ok();
  if (rule.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(rule.delay_ms));
  std::atomic<int>& good = (*rule.good_calls)[static_cast<size_t>(worker)];
  if (rule.fail_after >= 0 && good.load() >= rule.fail_after) {
    return Status(rule.kind, std::string(kTestDeviceVariable) + " made device " + ids_[static_cast<size_t>(worker)] +
                                 " fail after " + std::to_string(rule.fail_after) + " calls (" +
                                 (rule.kind == StatusCode::kUnavailable   ? "device lost"
                                  : rule.kind == StatusCode::kOutOfMemory ? "out of memory"
                                                                          : "device error") +
                                 ")");
  }
  ++good;
  return Status::ok();
}

Status DeviceFaults::before_call(int worker) const {
  // The last rule first: the order the folder's nested wrappers check them in.
  for (size_t i = rules_.size(); i-- > 0;) TB_RETURN_IF_ERROR(before_call(worker, i));
  return Status::ok();
}

}  // namespace toonbox::engine
