// Layer 4, `--python`: a user's PyTorch install — CPU-only wheel, CUDA build newer than
// the driver, missing or mixed CUDA libraries, GPUs without kernels in the wheel — with
// the exact command that fixes it for this driver.
#pragma once

#include "doctor/check.h"
#include "doctor/doctor_facts.h"

namespace toonbox::doctor {

Section pytorch_checks(const TorchFacts& torch, const DoctorFacts& facts);

// "PyTorch: GPU usable — ..." or "PyTorch: GPU not usable — <reason>".
Verdict pytorch_verdict(const Section& pytorch, const TorchFacts& torch, const Section& hardware);

// The command that installs the PyTorch wheel matching this driver, e.g.
// "python -m pip uninstall -y torch && python -m pip install torch --index-url
// https://download.pytorch.org/whl/cu126"; "" when no wheel fits the driver. For an
// OS-managed python (PEP 668) it creates a virtual environment instead.
std::string torch_install_command(const std::string& python, int driver_cuda,
                                  const std::string& driver_version, bool externally_managed);

}  // namespace toonbox::doctor
