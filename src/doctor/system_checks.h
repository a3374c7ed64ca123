// Layer 2, system: the driver against the CUDA runtime toonbox uses (the minimum-driver
// table and minor-version compatibility), the versions and paths of the CUDA libraries
// actually loaded, other copies that could be loaded instead, and cuDNN's runtime
// version against the one toonbox was compiled with.
#pragma once

#include "doctor/check.h"
#include "doctor/doctor_facts.h"

namespace toonbox::doctor {

Section system_checks(const DoctorFacts& facts);

}  // namespace toonbox::doctor
