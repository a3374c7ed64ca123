// Renders a DoctorReport: a readable report (one line per check, a fix line under each
// warning or failure, a verdict) or one JSON object for machines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "doctor/doctor.h"

namespace toonbox::doctor {

// With `color`, the tags and the verdict carry ANSI colours: green ok, yellow warnings,
// red not usable (the caller decides when: a terminal, NO_COLOR, --color).
std::string render_text(const DoctorReport& report, bool verbose, bool color = false);
nlohmann::ordered_json render_json(const DoctorReport& report);

}  // namespace toonbox::doctor
