// Layer 3, framework: toonbox's own CUDA backend on each visible GPU — the plugin loads,
// probe() agrees, and a real smoke test (convolution in fp32 and fp16 against the CPU,
// a cuBLAS GEMM, a copy) passes. When the plugin is absent the layer says why; it never
// reports a pass it did not run.
#pragma once

#include "doctor/check.h"
#include "doctor/doctor_facts.h"

namespace toonbox::doctor {

// earlier: the hardware and system sections, so a plugin that failed because of them
// points there instead of at the plugin.
Section framework_checks(const DoctorFacts& facts, const std::vector<Section>& earlier);

// "GPU: active — NVIDIA H200 (cuda:0), fp32+fp16 ok" or "GPU: not usable — <reason>",
// from the checks of the hardware, system and framework sections.
Verdict toonbox_verdict(const std::vector<Section>& toonbox_sections, const DoctorFacts& facts);

}  // namespace toonbox::doctor
