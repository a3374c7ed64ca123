// Renders a DoctorReport: a readable report (one line per check, a fix line under each
// warning or failure, a verdict) or one JSON object for machines.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "doctor/doctor.h"

namespace toonbox::doctor {

std::string render_text(const DoctorReport& report, bool verbose);
nlohmann::ordered_json render_json(const DoctorReport& report);

}  // namespace toonbox::doctor
