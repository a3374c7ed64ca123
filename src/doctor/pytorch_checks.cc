#include "doctor/pytorch_checks.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "doctor/cuda_arch.h"
#include "doctor/cuda_versions.h"
#include "doctor/shared_library.h"

namespace toonbox::doctor {
namespace {

bool is_cuda_library(const std::string& name) {
  for (const char* prefix : {"libcu", "libnv", "libnccl"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string reinstall_fix(const TorchFacts& t, const DoctorFacts& f) {
  const std::string cmd = torch_install_command(t.python, f.driver_cuda_version(),
                                                f.driver_version(), t.externally_managed);
  if (!cmd.empty()) return cmd;
  if (f.driver_cuda_version() <= 0 && f.platform.pci_bus_visible && f.platform.nvidia_gpus.empty())
    return "this machine has no NVIDIA GPU (see Hardware): a CUDA build of torch cannot help here";
  if (f.driver_cuda_version() <= 0)
    return "install the NVIDIA driver first, then rerun `toonbox doctor --python " + t.python +
           "` for the matching torch install command";
  return "upgrade the NVIDIA driver: no current PyTorch CUDA wheel supports CUDA " +
         format_cuda_version(f.driver_cuda_version());
}

Check python_check(const TorchFacts& t, const DoctorFacts& f) {
  if (!t.ran)
    return fail_check("pytorch.python", "cannot inspect PyTorch: " + t.run_error,
                      "pass the interpreter of the environment torch is installed in: toonbox "
                      "doctor --python /path/to/venv/bin/python");
  const std::string interpreter =
      t.executable.empty() || t.executable == t.python ? t.python : t.python + " = " + t.executable;
  if (!t.import_error.empty())
    return fail_check("pytorch.python",
                      "torch cannot be imported by " + interpreter + " (python " +
                          t.python_version + "): " + t.import_error,
                      reinstall_fix(t, f));
  return ok_check("pytorch.python", "python " + t.python_version + " (" + interpreter +
                                        ") imports torch " + t.torch_version);
}

Check build_check(const TorchFacts& t, const DoctorFacts& f) {
  const std::string tag = t.variant_tag();
  if (t.cuda.empty())
    return fail_check(
        "pytorch.build",
        "torch " + t.torch_version + " is a CPU-only build" +
            (tag.empty() ? "" : " (+" + tag + ")") +
            ": torch.version.cuda is None, so torch.cuda.is_available() is always False",
        reinstall_fix(t, f));
  std::string msg = "torch " + t.torch_version + " built with CUDA " + t.cuda;
  if (t.cudnn > 0) msg += ", cuDNN " + format_cudnn_version(t.cudnn);
  return ok_check("pytorch.build", msg);
}

Check driver_check(const TorchFacts& t, const DoctorFacts& f) {
  const std::string id = "pytorch.driver";
  const int torch_cuda = parse_cuda_version(t.cuda);
  const int driver_cuda = f.driver_cuda_version();
  if (driver_cuda <= 0)
    return skip_check(id, "no NVIDIA driver to run torch's CUDA " + t.cuda + " on (see Hardware)");
  const std::string driver_version = f.driver_version();
  const std::string driver = (driver_version.empty() ? "the driver" : "driver " + driver_version) +
                             " (CUDA " + format_cuda_version(driver_cuda) + ")";
  const std::string full = toolkit_driver(torch_cuda);
  switch (driver_fit(driver_cuda, driver_version, torch_cuda)) {
    case DriverFit::kSupported:
      return ok_check(id, "torch's CUDA " + t.cuda + " is supported by " + driver);
    case DriverFit::kMinorCompat:
      return warn_check(
          id,
          "torch's CUDA " + t.cuda + " is newer than " + driver +
              ": it runs through CUDA minor-version compatibility, but kernels that need PTX JIT "
              "fail",
          reinstall_fix(t, f) + (full.empty() ? "" : "; or upgrade the driver to >= " + full));
    case DriverFit::kTooOld: {
      const std::string floor = minor_compat_driver(cuda_major(torch_cuda));
      return fail_check(
          id,
          "torch " + t.torch_version + " needs CUDA " + t.cuda + ", newer than " + driver +
              " supports: it needs driver >= " + (floor.empty() ? full : floor) +
              " ('The NVIDIA driver on your system is too old')",
          reinstall_fix(t, f) + "; or upgrade the driver to >= " + (full.empty() ? floor : full));
    }
  }
  return skip_check(id, driver);
}

Check cudnn_check(const TorchFacts& t) {
  if (t.cudnn > 0)
    return ok_check("pytorch.cudnn", "torch uses cuDNN " + format_cudnn_version(t.cudnn));
  return warn_check("pytorch.cudnn",
                    "torch reports no cuDNN (torch.backends.cudnn.version() is None): convolutions "
                    "run without it",
                    "reinstall torch so its nvidia-cudnn dependency is installed");
}

// Two different files of one library family mapped into the python process.
std::vector<std::string> mixed_loaded(const std::vector<std::string>& loaded) {
  std::map<std::string, std::set<std::string>> by_family;
  for (const std::string& path : loaded) {
    const std::string name = std::filesystem::path(path).filename().string();
    const size_t so = name.find(".so");
    if (so == std::string::npos) continue;
    by_family[name.substr(0, so)].insert(real_path(path));
  }
  std::vector<std::string> out;
  for (const auto& [family, files] : by_family) {
    if (files.size() < 2) continue;
    std::string list;
    for (const std::string& p : files) list += (list.empty() ? "" : " and ") + p;
    out.push_back(family + ": " + list);
  }
  return out;
}

Check libraries_check(const TorchFacts& t) {
  const std::string id = "pytorch.libraries";
  std::error_code ec;
  if (t.lib_dir.empty() || !std::filesystem::is_directory(t.lib_dir, ec))
    return skip_check(id, "torch's lib folder not found" +
                              (t.lib_dir.empty() ? std::string() : " (" + t.lib_dir + ")") +
                              ": its CUDA libraries are not checked");
  if (t.torch_cuda_library.empty())
    return warn_check(
        id, "libtorch_cuda.so not found in " + t.lib_dir + ": the install looks incomplete",
        "reinstall torch (pip uninstall -y torch, then install it again)");
  if (!t.elf_error.empty())
    return warn_check(id, "cannot read libtorch_cuda.so: " + t.elf_error, "reinstall torch");
  Check c = ok_check(id, "");
  std::vector<std::string> missing, shadowed;
  int cuda_libs = 0;
  for (const ResolvedLibrary& r : t.needed) {
    if (!is_cuda_library(r.needed)) continue;
    ++cuda_libs;
    if (r.path.empty()) {
      // torch preloads its nvidia-* wheels itself; a library it mapped is not missing.
      const bool preloaded = std::any_of(
          t.loaded_libraries.begin(), t.loaded_libraries.end(), [&](const std::string& p) {
            return std::filesystem::path(p).filename().string().rfind(r.needed, 0) == 0;
          });
      c.details.push_back(
          r.needed + " -> " +
          (preloaded ? "not on the loader's path (torch preloads it)" : "NOT FOUND"));
      if (!preloaded) missing.push_back(r.needed);
      continue;
    }
    c.details.push_back(r.needed + " -> " + r.path + " (" + r.via + ")");
    if (!r.shadowed_path.empty()) {
      shadowed.push_back(r.needed + " resolves to " + r.path +
                         (r.version.empty() ? "" : " (" + r.version + ")") +
                         " through LD_LIBRARY_PATH instead of torch's own " + r.shadowed_path);
    }
  }
  for (const std::string& m : mixed_loaded(t.loaded_libraries))
    shadowed.push_back("two copies loaded at once: " + m);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    c.status = CheckStatus::kFail;
    c.message = "libtorch_cuda.so needs " + list + ", which the dynamic loader cannot find";
    c.fix =
        "reinstall torch with its CUDA dependencies (pip install --force-reinstall torch "
        "--index-url <the same index>), "
        "or add the folder holding them to LD_LIBRARY_PATH";
    return c;
  }
  if (!shadowed.empty()) {
    c.status = CheckStatus::kWarn;
    c.message = "mixed CUDA libraries: " + shadowed.front() +
                (shadowed.size() > 1 ? " (+" + std::to_string(shadowed.size() - 1) + " more)" : "");
    c.fix =
        "remove the system CUDA folders from LD_LIBRARY_PATH when running torch: a pip-installed "
        "torch brings its own CUDA libraries";
    return c;
  }
  c.message = "libtorch_cuda.so: " + std::to_string(cuda_libs) + " CUDA libraries, all found";
  return c;
}

Check available_check(const TorchFacts& t) {
  const std::string id = "pytorch.available";
  if (!t.is_available) {
    Check c =
        fail_check(id, "torch.cuda.is_available() is False", "fix the first failing check above");
    for (const std::string& w : t.warnings) c.details.push_back("warning: " + w);
    if (!t.cuda_error.empty()) c.details.push_back("error: " + t.cuda_error);
    return c;
  }
  std::string list;
  for (size_t i = 0; i < t.devices.size(); ++i)
    list += (i ? ", " : "") + std::string("cuda:") + std::to_string(i) + " " + t.devices[i].name +
            " (" + sm_name(t.devices[i].cc_major, t.devices[i].cc_minor) + ")";
  return ok_check(id, "torch.cuda.is_available() is True: " +
                          (list.empty() ? std::to_string(t.device_count) + " device(s)" : list));
}

// torch.cuda.get_arch_list() against each device: a wheel without kernels for a new GPU
// is the "no kernel image is available" failure at the first op.
std::vector<Check> arch_checks(const TorchFacts& t) {
  std::vector<Check> out;
  if (t.arch_list.empty()) return out;
  std::string joined;
  for (const std::string& a : t.arch_list) joined += a + " ";
  const CudaArchList archs = parse_cuda_archs(joined);
  for (size_t i = 0; i < t.devices.size(); ++i) {
    const TorchDevice& d = t.devices[i];
    const std::string id = "pytorch.kernel_image." + std::to_string(i);
    const std::string sm = sm_name(d.cc_major, d.cc_minor);
    const KernelImagePrediction p = predict_kernel_image(archs, d.cc_major, d.cc_minor);
    if (p.kind == KernelImage::kNone)
      out.push_back(fail_check(
          id,
          "torch has no kernels for cuda:" + std::to_string(i) + " " + d.name + " (" + sm +
              "): built for " + describe_cuda_archs(archs) +
              " ('no kernel image is available for execution on the device')",
          std::string("install a torch build whose arch list includes ") + sm +
              (d.cc_major >= 10 ? " (Blackwell GPUs need the cu128 wheels or newer)" : "")));
    else if (p.kind != KernelImage::kUnknown)
      out.push_back(
          ok_check(id, "cuda:" + std::to_string(i) + " " + sm + ": torch has " + p.used +
                           (p.kind == KernelImage::kPtxJit ? " (PTX, JIT-compiled)" : "")));
  }
  return out;
}

}  // namespace

std::string torch_install_command(const std::string& python, int driver_cuda,
                                  const std::string& driver_version, bool externally_managed) {
  const auto variant = torch_variant_for_driver(driver_cuda, driver_version);
  if (!variant) return "";
  const std::string why = " (the " + variant->tag + " build matches driver CUDA " +
                          format_cuda_version(driver_cuda) +
                          (variant->minor_compat ? " through minor-version compatibility" : "");
  if (externally_managed)
    return python +
           " -m venv ~/.venvs/torch && ~/.venvs/torch/bin/python -m pip install torch "
           "--index-url " +
           variant->index_url() + why + "; " + python +
           " is managed by the OS package manager, so pip cannot replace its torch)";
  // pip treats an installed "2.x+cpu" as satisfying "torch", so uninstall first.
  return python + " -m pip uninstall -y torch && " + python + " -m pip install torch --index-url " +
         variant->index_url() + why + "; reinstall torchvision/torchaudio from the same index)";
}

Section pytorch_checks(const TorchFacts& t, const DoctorFacts& f) {
  Section s{"PyTorch", {}};
  s.checks.push_back(python_check(t, f));
  if (!t.ran || !t.import_error.empty()) return s;
  s.checks.push_back(build_check(t, f));
  if (t.cuda.empty()) return s;
  s.checks.push_back(driver_check(t, f));
  s.checks.push_back(cudnn_check(t));
  s.checks.push_back(libraries_check(t));
  s.checks.push_back(available_check(t));
  for (Check& c : arch_checks(t)) s.checks.push_back(std::move(c));
  return s;
}

Verdict pytorch_verdict(const Section& pytorch, const TorchFacts& t, const Section& hardware) {
  auto first = [](const Section& s, CheckStatus status) -> const Check* {
    for (const Check& c : s.checks)
      if (c.status == status) return &c;
    return nullptr;
  };
  const Check* fail = first(pytorch, CheckStatus::kFail);
  if (!t.is_available || fail) {
    // torch.cuda.is_available() being False is the symptom; name the cause when one of
    // torch's own checks or the hardware layer found it.
    const Check* cause = fail && fail->id != "pytorch.available" ? fail : nullptr;
    if (!cause) cause = first(hardware, CheckStatus::kFail);
    if (!cause) cause = first(pytorch, CheckStatus::kWarn);
    std::string reason = cause ? cause->message : "torch.cuda.is_available() is False";
    if (!cause && !t.warnings.empty()) reason += " (" + t.warnings.front().substr(0, 200) + ")";
    return {Usability::kNotUsable, "PyTorch: GPU not usable — " + reason};
  }
  std::string who = t.devices.empty() ? std::to_string(t.device_count) + " device(s)"
                                      : t.devices.front().name + " (cuda:0)";
  const bool warned = first(pytorch, CheckStatus::kWarn) != nullptr;
  return {warned ? Usability::kDegraded : Usability::kUsable,
          "PyTorch: GPU usable — torch " + t.torch_version + " on " + who +
              (warned ? " (with warnings)" : "")};
}

}  // namespace toonbox::doctor
