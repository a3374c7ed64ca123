// Layer 1, hardware: is there an NVIDIA GPU, is the driver loaded and reachable from
// here (container, device nodes, CUDA_VISIBLE_DEVICES), what are the GPUs, and does
// this build contain code they can run.
#pragma once

#include "doctor/check.h"
#include "doctor/doctor_environment.h"
#include "doctor/doctor_facts.h"

namespace toonbox::doctor {

Section hardware_checks(const DoctorFacts& facts, const DoctorEnvironment& env);

// "1.5 GiB"
std::string format_bytes(uint64_t bytes);

}  // namespace toonbox::doctor
