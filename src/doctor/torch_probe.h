// Inspects a user's PyTorch by running their python with a small script that prints
// one JSON line, then reads the ELF of libtorch_cuda.so to see which CUDA libraries
// it needs and where the loader finds them.
#pragma once

#include <string>
#include <vector>

#include "doctor/doctor_environment.h"
#include "doctor/ldconfig_cache.h"
#include "doctor/library_resolver.h"

namespace toonbox::doctor {

struct TorchDevice {
  std::string name;
  int cc_major = 0, cc_minor = 0;
};

struct TorchFacts {
  std::string python;     // the interpreter asked for
  bool ran = false;       // the script produced its JSON line
  std::string run_error;  // could not start, timed out, crashed, printed no JSON
  std::string python_version;
  std::string executable;           // sys.executable: what "python3" turned out to be
  bool externally_managed = false;  // an OS python (PEP 668) outside a venv
  std::string import_error;         // "ModuleNotFoundError: No module named 'torch'"
  std::string torch_version;        // "2.5.1+cu124"
  std::string cuda;                 // torch.version.cuda, "" for a CPU-only build
  long cudnn = 0;                   // torch.backends.cudnn.version(), 0 when none
  bool is_available = false;
  int device_count = 0;
  std::vector<TorchDevice> devices;
  std::vector<std::string> arch_list;         // "sm_80", "sm_90", "compute_90" ...
  std::vector<std::string> warnings;          // e.g. "The NVIDIA driver on your system is too old"
  std::string cuda_error;                     // exception text from the CUDA queries
  std::string lib_dir;                        // .../site-packages/torch/lib
  std::vector<std::string> loaded_libraries;  // CUDA libraries mapped in the python process

  // libtorch_cuda.so's view, filled from its ELF when the file exists.
  std::string torch_cuda_library;  // path, "" when the wheel has none (CPU-only)
  std::string elf_error;
  std::vector<ResolvedLibrary> needed;

  // "+cu124" -> "cu124"; "" without a local version tag.
  std::string variant_tag() const;
};

// The script run with `python -c`; it prints "TOONBOX_TORCH_JSON {...}" on one line.
const char* torch_probe_script();

// Parses the script's output into facts (the JSON line may follow other output).
void parse_torch_probe_output(const std::string& stdout_text, TorchFacts* facts);

TorchFacts probe_torch(const DoctorEnvironment& env, const LdconfigCache& cache);

}  // namespace toonbox::doctor
