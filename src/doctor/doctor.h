// `toonbox doctor`: gathers facts about the machine layer by layer (hardware, system,
// framework, optionally a user's PyTorch), turns them into checks with fixes, and
// reaches a verdict with an exit code.
#pragma once

#include <optional>
#include <vector>

#include "doctor/check.h"
#include "doctor/doctor_environment.h"
#include "doctor/doctor_facts.h"

namespace toonbox::doctor {

// Documented in docs/doctor.md; 2 (usage error) belongs to the CLI.
inline constexpr int kExitUsable = 0;
inline constexpr int kExitNotUsable = 1;
inline constexpr int kExitDegraded = 3;

struct DoctorReport {
  DoctorFacts facts;
  std::vector<Section> sections;  // Hardware, System, Framework[, PyTorch]
  Verdict toonbox;
  std::optional<Verdict> pytorch;  // with --python
  int exit_code = kExitNotUsable;

  const Check* find(const std::string& id) const;
};

DoctorFacts gather_facts(const DoctorEnvironment& env);
DoctorReport diagnose(DoctorFacts facts, const DoctorEnvironment& env);
inline DoctorReport run_doctor(const DoctorEnvironment& env) {
  return diagnose(gather_facts(env), env);
}

}  // namespace toonbox::doctor
