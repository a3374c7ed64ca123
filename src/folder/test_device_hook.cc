#include "folder/test_device_hook.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <sstream>
#include <thread>

namespace toonbox::folder {

namespace {

struct Rule {
  int worker = -1;  // -1: every worker
  int delay_ms = 0;
  int fail_after = -1;  // -1: never fails
  StatusCode kind = StatusCode::kUnavailable;
};

Result<Rule> parse_rule(const std::string& text) {
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
  if (r.delay_ms < 0 || r.delay_ms > 600000 || (r.fail_after < -1)) return bad;
  return r;
}

DeviceFn wrap(DeviceFn inner, const Rule& rule, const std::string& id) {
  auto good_calls = std::make_shared<std::atomic<int>>(0);
  return [inner = std::move(inner), rule, id, good_calls](const std::vector<const image::Image*>& images,
                                                          std::vector<ImageNote>* notes) -> Result<std::vector<image::Image>> {
    if (rule.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(rule.delay_ms));
    if (rule.fail_after >= 0 && good_calls->load() >= rule.fail_after) {
      return Status(rule.kind, std::string(kTestDeviceVariable) + " made device " + id + " fail after " +
                                   std::to_string(rule.fail_after) + " calls (" +
                                   (rule.kind == StatusCode::kUnavailable   ? "device lost"
                                    : rule.kind == StatusCode::kOutOfMemory ? "out of memory"
                                                                            : "device error") +
                                   ")");
    }
    ++*good_calls;
    return inner(images, notes);
  };
}

}  // namespace

Status apply_test_device_rules(const std::string& rules, std::vector<DeviceWorker>* workers) {
  if (rules.empty()) return Status::ok();
  std::stringstream ss(rules);
  for (std::string text; std::getline(ss, text, ',');) {
    TB_ASSIGN_OR_RETURN(Rule rule, parse_rule(text));
    if (rule.worker >= static_cast<int>(workers->size()))
      return invalid_argument(std::string(kTestDeviceVariable) + ": rule '" + text + "' names worker " +
                              std::to_string(rule.worker) + " of " + std::to_string(workers->size()));
    for (size_t w = 0; w < workers->size(); ++w)
      if (rule.worker < 0 || rule.worker == static_cast<int>(w))
        (*workers)[w].fn = wrap(std::move((*workers)[w].fn), rule, (*workers)[w].id);
  }
  return Status::ok();
}

}  // namespace toonbox::folder
