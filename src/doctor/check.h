// One line of the doctor's report: a check, its status and, when it is not ok, the
// one-line fix. Checks are plain data so the text and JSON renderers and the tests
// all read the same thing.
#pragma once

#include <string>
#include <vector>

namespace toonbox::doctor {

enum class CheckStatus { kOk, kWarn, kFail, kSkip };

const char* check_status_name(CheckStatus status);  // "ok", "warn", "fail", "skip"

struct Check {
  std::string id;  // stable key, e.g. "system.driver_runtime" or "hardware.gpu.0"
  CheckStatus status = CheckStatus::kOk;
  std::string message;               // one line: what was found and, when it fails, why
  std::string fix;                   // one line; empty when there is nothing to do
  std::vector<std::string> details;  // extra facts (paths, other copies), printed indented
};

inline Check ok_check(std::string id, std::string message) {
  return {std::move(id), CheckStatus::kOk, std::move(message), {}, {}};
}
inline Check warn_check(std::string id, std::string message, std::string fix) {
  return {std::move(id), CheckStatus::kWarn, std::move(message), std::move(fix), {}};
}
inline Check fail_check(std::string id, std::string message, std::string fix) {
  return {std::move(id), CheckStatus::kFail, std::move(message), std::move(fix), {}};
}
inline Check skip_check(std::string id, std::string message) {
  return {std::move(id), CheckStatus::kSkip, std::move(message), {}, {}};
}

struct Section {
  std::string name;  // "Hardware", "System", "Framework", "PyTorch"
  std::vector<Check> checks;
};

enum class Usability { kUsable, kDegraded, kNotUsable };

struct Verdict {
  Usability usability = Usability::kNotUsable;
  std::string summary;  // "GPU: active — NVIDIA H200 (cuda:0), fp32+fp16 ok"
};

}  // namespace toonbox::doctor
