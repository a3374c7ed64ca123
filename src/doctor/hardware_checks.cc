#include "doctor/hardware_checks.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "doctor/cuda_arch.h"
#include "doctor/cuda_versions.h"

namespace toonbox::doctor {
namespace {

// One GPU as the report shows it: CUDA's view (after CUDA_VISIBLE_DEVICES) enriched
// with NVML's facts, or NVML's alone when CUDA cannot enumerate.
struct GpuView {
  std::string label;  // "cuda:0", or "GPU 0 (NVML)" when CUDA does not see it
  std::string name, uuid;
  int cc_major = 0, cc_minor = 0;
  uint64_t memory_total = 0;
  const NvmlDevice* nvml = nullptr;
};

bool same_uuid(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  return std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::vector<GpuView> merged_gpus(const DoctorFacts& f) {
  std::vector<GpuView> out;
  for (const CudaDevice& d : f.driver.devices) {
    GpuView g{"cuda:" + std::to_string(d.ordinal),
              d.name,
              d.uuid,
              d.cc_major,
              d.cc_minor,
              d.memory_total,
              nullptr};
    for (const NvmlDevice& n : f.nvml.devices)
      if (same_uuid(n.uuid, d.uuid)) g.nvml = &n;
    out.push_back(g);
  }
  if (!out.empty()) return out;
  for (const NvmlDevice& n : f.nvml.devices)
    out.push_back({"GPU " + std::to_string(n.index) + " (NVML)", n.name, n.uuid, n.cc_major,
                   n.cc_minor, n.memory_known ? n.memory_total : 0, &n});
  return out;
}

bool no_gpu_on_bus(const DoctorFacts& f) {
  return f.platform.pci_bus_visible && f.platform.nvidia_gpus.empty();
}

bool container_without_gpu(const DoctorFacts& f) {
  return f.platform.in_container && f.platform.device_nodes.empty();
}

std::string container_fix(const DoctorEnvironment& env) {
  const std::string visible = env.var("NVIDIA_VISIBLE_DEVICES").value_or("(unset)");
  if (visible == "void" || visible == "none" || visible.empty())
    return "NVIDIA_VISIBLE_DEVICES=" + visible +
           " hides the GPUs from the container runtime; start the container with "
           "NVIDIA_VISIBLE_DEVICES=all (or `docker run --gpus all`)";
  return "start the container with `docker run --gpus all ...` (the host needs the NVIDIA "
         "Container Toolkit; Kubernetes: request nvidia.com/gpu)";
}

Check pci_check(const DoctorFacts& f) {
  const PlatformFacts& p = f.platform;
  const size_t seen_by_driver = std::max(f.driver.devices.size(), f.nvml.devices.size());
  if (!p.pci_bus_visible)
    return skip_check("hardware.pci",
                      "PCI bus not visible here (/sys/bus/pci/devices is empty or missing)");
  if (p.nvidia_gpus.empty()) {
    if (seen_by_driver > 0)
      return ok_check("hardware.pci", "no NVIDIA device in /sys/bus/pci, but the driver reports " +
                                          std::to_string(seen_by_driver) +
                                          " GPU(s) (virtualised GPU)");
    return fail_check("hardware.pci",
                      "no NVIDIA GPU on the PCI bus (" + std::to_string(p.pci_device_count) +
                          " PCI devices, none from NVIDIA)",
                      "run on a machine with an NVIDIA GPU (or pass one through to this VM); "
                      "toonbox still runs on the CPU with --device cpu");
  }
  std::string list;
  for (size_t i = 0; i < p.nvidia_gpus.size() && i < 4; ++i)
    list += (i ? ", " : "") + p.nvidia_gpus[i].address + " [10de:" +
            p.nvidia_gpus[i].device_id.substr(p.nvidia_gpus[i].device_id.rfind('x') + 1) + "]";
  if (p.nvidia_gpus.size() > 4)
    list += " and " + std::to_string(p.nvidia_gpus.size() - 4) + " more";
  return ok_check("hardware.pci",
                  std::to_string(p.nvidia_gpus.size()) + " NVIDIA GPU(s) on the PCI bus: " + list);
}

Check container_check(const DoctorFacts& f, const DoctorEnvironment& env) {
  const PlatformFacts& p = f.platform;
  if (!p.in_container) return ok_check("hardware.container", "not running in a container");
  const std::string where = "running in a container (" + p.container_evidence + ")";
  if (!p.device_nodes.empty())
    return ok_check("hardware.container", where + " with GPU device nodes");
  if (no_gpu_on_bus(f) && !f.driver_library_found())
    return skip_check("hardware.container",
                      where + "; the host shows no NVIDIA GPU to pass through");
  Check c =
      fail_check("hardware.container", where + " without GPU access: no /dev/nvidia* device nodes",
                 container_fix(env));
  if (auto v = env.var("NVIDIA_VISIBLE_DEVICES"))
    c.details.push_back("NVIDIA_VISIBLE_DEVICES=" + *v);
  return c;
}

Check kernel_module_check(const DoctorFacts& f) {
  const PlatformFacts& p = f.platform;
  if (!p.kernel_module_version.empty())
    return ok_check("hardware.kernel_module",
                    "NVIDIA kernel module " + p.kernel_module_version + " loaded");
  if (no_gpu_on_bus(f) && !f.driver_library_found())
    return skip_check("hardware.kernel_module", "no NVIDIA kernel module (no NVIDIA GPU to drive)");
  if (f.driver.library.loaded() && f.driver.init_result == 0 && !f.driver.devices.empty())
    return skip_check("hardware.kernel_module",
                      "/proc/driver/nvidia/version not readable here (CUDA works)");
  return fail_check(
      "hardware.kernel_module",
      "NVIDIA kernel driver not loaded (/proc/driver/nvidia/version is missing)",
      std::string(p.in_container ? "on the host: " : "") +
          "install the NVIDIA driver and reboot (Debian: apt install nvidia-driver); "
          "`lsmod | grep nvidia` must list it; Secure Boot can block an unsigned module");
}

Check device_nodes_check(const DoctorFacts& f) {
  const PlatformFacts& p = f.platform;
  const std::string id = "hardware.device_nodes";
  if (p.device_nodes.empty()) {
    if (no_gpu_on_bus(f) && !f.driver_library_found())
      return skip_check(id, "no /dev/nvidia* device nodes (no NVIDIA GPU)");
    if (container_without_gpu(f))
      return skip_check(id, "no /dev/nvidia* device nodes in this container (see above)");
    if (p.kernel_module_version.empty())
      return skip_check(id, "no /dev/nvidia* device nodes (no kernel driver)");
    return fail_check(id, "no /dev/nvidia* device nodes although the kernel module is loaded",
                      "create them with `sudo nvidia-modprobe -c=0 -u` (or reboot); udev rules "
                      "from the driver package normally do this");
  }
  std::string nodes;
  for (const std::string& n : p.device_nodes) nodes += (nodes.empty() ? "" : " ") + n;
  if (!p.inaccessible_nodes.empty())
    return fail_check(id,
                      "no read/write permission on " + p.inaccessible_nodes.front() +
                          " (the user cannot open the GPU)",
                      "add the user to the group owning the device (`ls -l " +
                          p.inaccessible_nodes.front() +
                          "`, usually video or render) and log in again");
  if (!p.has_control_node || p.gpu_node_count == 0)
    return fail_check(
        id, "incomplete device nodes (" + nodes + "): /dev/nvidiactl and /dev/nvidia<N> are needed",
        p.in_container ? "start the container with --gpus all so all nodes are passed in"
                       : "run `sudo nvidia-modprobe -c=0` or reboot");
  if (!p.has_uvm_node)
    return fail_check(id,
                      "/dev/nvidia-uvm is missing: CUDA cannot initialise without it (cuInit fails "
                      "with an unknown error)",
                      p.in_container
                          ? "on the host run `sudo modprobe nvidia-uvm` (or `nvidia-modprobe -u "
                            "-c=0`), then restart the container"
                          : "run `sudo modprobe nvidia-uvm` (or `sudo nvidia-modprobe -u -c=0`)");
  return ok_check(id, "device nodes present: " + nodes);
}

Check nvml_check(const DoctorFacts& f) {
  const NvmlFacts& n = f.nvml;
  const std::string id = "hardware.nvml";
  if (!n.library.loaded()) {
    if (!f.driver.library.loaded()) return skip_check(id, "NVML: " + n.error);
    return warn_check(id,
                      "NVML not available (" + n.error + "): memory, MIG and ECC are not reported",
                      f.platform.in_container
                          ? "start the container with NVIDIA_DRIVER_CAPABILITIES=compute,utility"
                          : "install the driver's NVML library (Debian: libnvidia-ml1), same "
                            "version as the driver");
  }
  if (!n.initialized) {
    if (n.init_error == kNvmlErrorLibRmVersionMismatch)
      return fail_check(
          id,
          "NVML: driver/library version mismatch: the kernel module (" +
              (f.platform.kernel_module_version.empty() ? std::string("?")
                                                        : f.platform.kernel_module_version) +
              ") differs from the user-space driver",
          "reboot after the driver upgrade (or unload and reload the nvidia kernel modules)");
    if (n.init_error == kNvmlErrorDriverNotLoaded)
      return fail_check(id, "NVML: the NVIDIA kernel driver is not loaded (" + n.error + ")",
                        "load it with `sudo modprobe nvidia` or reinstall the driver and reboot");
    if (n.init_error == kNvmlErrorNoPermission)
      return fail_check(id, "NVML: no permission to access the GPU (" + n.error + ")",
                        "add the user to the group owning /dev/nvidia* and log in again");
    return warn_check(id, "NVML failed to initialise: " + n.error,
                      "check `dmesg | grep -i nvrm` for driver errors");
  }
  return ok_check(id, "NVML: driver " + (n.driver_version.empty() ? "?" : n.driver_version) +
                          " (CUDA " + format_cuda_version(n.cuda_driver_version) + "), " +
                          std::to_string(n.devices.size()) + " GPU(s)");
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Check visible_devices_check(const DoctorFacts& f, const DoctorEnvironment& env) {
  const std::string id = "hardware.visible_devices";
  const auto value = env.var("CUDA_VISIBLE_DEVICES");
  const bool nvml_known = f.nvml.initialized;
  const size_t total = f.nvml.devices.size();
  if (!value) {
    if (!nvml_known) return ok_check(id, "CUDA_VISIBLE_DEVICES not set");
    return ok_check(
        id, "CUDA_VISIBLE_DEVICES not set: CUDA may use all " + std::to_string(total) + " GPU(s)");
  }
  // CUDA reads the list left to right and stops at the first entry it cannot match;
  // everything after it is ignored.
  std::vector<std::string> tokens;
  std::string cur;
  for (char c : *value + ",") {
    if (c == ',') {
      tokens.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += c;
    }
  }
  size_t valid = 0;
  std::string invalid;
  for (const std::string& t : tokens) {
    bool ok = false;
    if (all_digits(t)) {
      ok = !nvml_known || std::stoul(t) < total;
    } else if (t.rfind("GPU-", 0) == 0 || t.rfind("MIG-", 0) == 0) {
      ok = !nvml_known || t.rfind("MIG-", 0) == 0 ||
           std::any_of(f.nvml.devices.begin(), f.nvml.devices.end(),
                       [&](const NvmlDevice& d) { return d.uuid.rfind(t, 0) == 0; });
    }
    if (!ok) {
      invalid = t;
      break;
    }
    ++valid;
  }
  const std::string shown = "CUDA_VISIBLE_DEVICES=\"" + *value + "\"";
  const std::string of_total = nvml_known ? " of " + std::to_string(total) : "";
  if (valid == 0)
    return fail_check(
        id,
        shown + " hides all" + of_total + " GPU(s) from CUDA" +
            (invalid.empty() ? "" : " ('" + invalid + "' is not a GPU index or UUID)"),
        "unset CUDA_VISIBLE_DEVICES, or set it to GPU indices such as 0" +
            (nvml_known && total > 1 ? "," + std::to_string(total - 1) : std::string()));
  if (!invalid.empty())
    return warn_check(id,
                      shown + ": '" + invalid +
                          "' matches no GPU, so CUDA ignores it and every entry after it (" +
                          std::to_string(valid) + " GPU(s) visible)",
                      "remove '" + invalid + "' from CUDA_VISIBLE_DEVICES");
  return ok_check(id, shown + " selects " + std::to_string(valid) + of_total + " GPU(s)");
}

Check cuda_driver_check(const DoctorFacts& f, const DoctorEnvironment& env) {
  const CudaDriverFacts& d = f.driver;
  const std::string id = "hardware.cuda_driver";
  if (!d.library.loaded()) {
    const bool missing = d.library.missing;
    if (missing && no_gpu_on_bus(f) && !f.nvml.library.loaded())
      return skip_check(id, "no NVIDIA driver (libcuda.so.1 not found; no NVIDIA GPU to drive)");
    std::string fix;
    if (f.platform.in_container && !f.platform.device_nodes.empty())
      fix =
          "the container runtime did not mount the driver: start it with --gpus all and "
          "NVIDIA_DRIVER_CAPABILITIES including compute";
    else if (container_without_gpu(f))
      fix = container_fix(env);
    else if (!f.platform.kernel_module_version.empty())
      fix = "install the driver's user-space CUDA library matching kernel module " +
            f.platform.kernel_module_version + " (Debian: apt install libcuda1)";
    else
      fix = "install the NVIDIA driver (it provides libcuda.so.1), then reboot";
    Check c = fail_check(id,
                         missing ? "no NVIDIA driver: libcuda.so.1 not found"
                                 : "libcuda.so.1 cannot be loaded: " + d.library.error,
                         fix);
    if (missing) c.details.push_back(d.library.error);
    return c;
  }
  const std::string lib = "libcuda.so.1 (" + d.library.path + ")";
  if (d.init_result == kCudaErrorStubLibrary || d.library.path.find("/stubs/") != std::string::npos)
    return fail_check(
        id, lib + " is the CUDA toolkit's link-time stub, not the driver",
        "remove the toolkit's stubs folder from LD_LIBRARY_PATH (it is only for linking)");
  if (d.init_result != 0) {
    const std::string why = "cuInit failed: " + d.init_error;
    switch (d.init_result) {
      case kCudaErrorNoDevice:
        return fail_check(
            id, "CUDA sees no GPU (" + why + ")",
            env.var("CUDA_VISIBLE_DEVICES")
                ? "check CUDA_VISIBLE_DEVICES (see above)"
                : "check that the GPU is on the bus and supported by this driver (see NVML above)");
      case kCudaErrorSystemDriverMismatch:
        return fail_check(id,
                          "the user-space driver " + lib + " does not match the kernel module " +
                              f.platform.kernel_module_version + " (" + why + ")",
                          "reboot after the driver upgrade (or reload the nvidia kernel modules)");
      case kCudaErrorCompatNotSupportedOnDevice:
        return fail_check(
            id,
            "a CUDA forward-compatibility libcuda is loaded on a GPU that does not support it (" +
                why + ")",
            "remove the cuda-compat folder from LD_LIBRARY_PATH and upgrade the driver instead");
      default:
        return fail_check(
            id, why,
            f.platform.has_uvm_node
                ? "look for driver errors with `sudo dmesg | grep -i nvrm`"
                : "load nvidia-uvm (`sudo modprobe nvidia-uvm`); see `sudo dmesg | grep -i nvrm`");
    }
  }
  if (d.devices.empty())
    return fail_check(id, "CUDA initialised but reports no device",
                      "check CUDA_VISIBLE_DEVICES and `nvidia-smi`");
  return ok_check(id, "CUDA driver " + lib + ": supports CUDA " +
                          format_cuda_version(d.driver_version) + ", " +
                          std::to_string(d.devices.size()) + " device(s)");
}

Check gpu_check(const GpuView& g, size_t index) {
  const std::string id = "hardware.gpu." + std::to_string(index);
  std::string msg = g.label + " " + (g.name.empty() ? "(unnamed GPU)" : g.name);
  if (g.cc_major > 0)
    msg += ", " + sm_name(g.cc_major, g.cc_minor) + " (compute capability " +
           std::to_string(g.cc_major) + "." + std::to_string(g.cc_minor) + ")";
  const NvmlDevice* n = g.nvml;
  if (n && n->memory_known) {
    msg += ", " + format_bytes(n->memory_total) + " (" + format_bytes(n->memory_free) + " free)";
  } else if (g.memory_total > 0) {
    msg += ", " + format_bytes(g.memory_total);
  }
  if (n && n->mig_mode >= 0) msg += std::string(", MIG ") + (n->mig_mode ? "on" : "off");
  if (n && n->ecc_mode >= 0) msg += std::string(", ECC ") + (n->ecc_mode ? "on" : "off");
  Check c = ok_check(id, msg);
  if (!g.uuid.empty()) c.details.push_back(g.uuid);
  if (n && n->mig_mode == 1) {
    c.status = CheckStatus::kWarn;
    c.fix =
        "MIG is on: CUDA runs on a MIG instance (a slice of this GPU), not the whole GPU; pick one "
        "with "
        "CUDA_VISIBLE_DEVICES=MIG-<uuid> (`nvidia-smi -L`) or disable MIG (`sudo nvidia-smi -mig "
        "0`)";
  } else if (n && n->memory_known && n->memory_total > 0 && n->memory_free * 10 < n->memory_total) {
    c.status = CheckStatus::kWarn;
    c.fix = "other processes hold " + format_bytes(n->memory_total - n->memory_free) +
            " of this GPU's memory; see `nvidia-smi` (models may run out of memory)";
  }
  return c;
}

Check kernel_image_check(const GpuView& g, size_t index, const DoctorFacts& f) {
  const std::string id = "hardware.kernel_image." + std::to_string(index);
  if (!f.build.cuda_backend)
    return skip_check(id, g.label + ": no CUDA backend in this build to run on it");
  if (g.cc_major <= 0) return skip_check(id, g.label + ": compute capability unknown");
  const CudaArchList archs = parse_cuda_archs(f.build.cuda_archs);
  const std::string code = describe_cuda_archs(archs);
  const std::string have = "this build has " + code;
  const std::string sm = sm_name(g.cc_major, g.cc_minor);
  const KernelImagePrediction p = predict_kernel_image(archs, g.cc_major, g.cc_minor);
  switch (p.kind) {
    case KernelImage::kMachineCode:
      return ok_check(id, g.label + " " + sm + ": machine code in this build (" + code + ")");
    case KernelImage::kCompatibleMachineCode:
      return ok_check(id, g.label + " " + sm + ": runs the " + p.used +
                              " machine code (same major version; " + have + ")");
    case KernelImage::kPtxJit: {
      const int driver_cuda = f.driver_cuda_version();
      const int runtime = f.runtime_version();
      if (driver_cuda > 0 && driver_cuda < runtime)
        return fail_check(id,
                          g.label + " " + sm + ": only PTX " + p.used +
                              " fits, and this driver (CUDA " + format_cuda_version(driver_cuda) +
                              ") cannot JIT PTX from CUDA " + format_cuda_version(runtime) +
                              " ('the provided PTX was compiled with an unsupported toolchain')",
                          "upgrade the driver to >= " + toolkit_driver(runtime) +
                              ", or rebuild with -DTOONBOX_CUDA_ARCHS including " +
                              std::to_string(g.cc_major * 10 + g.cc_minor) + "-real");
      return ok_check(id, g.label + " " + sm + ": no machine code, the driver JIT-compiles PTX " +
                              p.used + " (slow first start, then cached; " + have + ")");
    }
    case KernelImage::kNone: {
      std::string why =
          g.label + " " + sm + ": " + have + "; nothing runs on " + sm +
          " -> CUDA would fail with 'no kernel image is available for execution on the device'";
      if (cuda_major(f.runtime_version()) >= 13 && g.cc_major * 10 + g.cc_minor < 75)
        return fail_check(id, why,
                          "CUDA 13 dropped GPUs below compute capability 7.5: build toonbox with a "
                          "CUDA 12.x toolkit and -DTOONBOX_CUDA_ARCHS=" +
                              std::to_string(g.cc_major * 10 + g.cc_minor) + "-real");
      return fail_check(id, why,
                        "rebuild with -DTOONBOX_CUDA_ARCHS=\"" +
                            std::to_string(g.cc_major * 10 + g.cc_minor) + "-real;" +
                            f.build.cuda_archs + "\" (CMake list; or add PTX of an older arch)");
    }
    case KernelImage::kUnknown:
      break;
  }
  return skip_check(id, g.label + ": the build's architecture list '" + f.build.cuda_archs +
                            "' cannot be checked");
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  const double gib = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  if (gib >= 1.0) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", gib);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

Section hardware_checks(const DoctorFacts& f, const DoctorEnvironment& env) {
  Section s{"Hardware", {}};
  s.checks.push_back(pci_check(f));
  s.checks.push_back(container_check(f, env));
  s.checks.push_back(kernel_module_check(f));
  s.checks.push_back(device_nodes_check(f));
  s.checks.push_back(nvml_check(f));
  s.checks.push_back(visible_devices_check(f, env));
  s.checks.push_back(cuda_driver_check(f, env));
  const std::vector<GpuView> gpus = merged_gpus(f);
  for (size_t i = 0; i < gpus.size(); ++i) s.checks.push_back(gpu_check(gpus[i], i));
  for (size_t i = 0; i < gpus.size(); ++i) s.checks.push_back(kernel_image_check(gpus[i], i, f));
  return s;
}

}  // namespace toonbox::doctor
