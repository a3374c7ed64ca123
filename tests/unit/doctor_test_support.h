// Simulated machines for the doctor's tests: a private temp folder holding a fake root
// (/sys, /proc, /dev, /.dockerenv), a library folder with a chosen subset of the stub
// NVIDIA libraries, and STUB_* variables that choose what the stubs answer.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/cuda/plugin_api.h"
#include "doctor/doctor.h"

namespace toonbox::doctor::testing {

namespace fs = std::filesystem;

inline const char* kAllStubs[] = {"libcuda.so.1",    "libnvidia-ml.so.1", "libcudart.so.13",
                                  "libcublas.so.13", "libcudnn.so.9",     "libnvrtc.so.13"};

// A build like the default CUDA 13 one: CUDA 13.0, cuDNN 9.19.0, sm_80..sm_90 + PTX 90.
inline BuildInfo cuda13_build() {
  BuildInfo b;
  b.cuda_backend = true;
  b.cuda_runtime_version = 13000;
  b.cudnn_version = 91900;
  b.cuda_archs = "80-real;86-real;89-real;90-real;90-virtual";
  return b;
}

// A CUDA plugin that reports one healthy H200 and a passing smoke test.
inline Status fake_probe(cuda::CudaRuntimeInfo* info) {
  info->driver_version = 13000;
  info->runtime_version = 13000;
  info->cudnn_version = 91900;
  info->cudnn_compiled = 91900;
  info->cublas_version = 130002;
  info->compiled_archs = "sm_80 sm_86 sm_89 sm_90 compute_90";
  cuda::CudaDeviceInfo d;
  d.name = "NVIDIA H200";
  d.cc_major = 9;
  d.kernel_image_available = true;
  info->devices = {d};
  return Status::ok();
}
inline Result<std::unique_ptr<backend::Backend>> fake_create(int) {
  return unimplemented("fake plugin");
}
inline Status fake_smoke(int, cuda::CudaSmokeResult* r) {
  r->ok = true;
  r->conv_fp32_max_abs_err = 2e-6;
  r->conv_fp16_max_abs_err = 1e-3;
  r->gemm_max_rel_err = 4e-4;
  r->gemm_tflops = 612.5;
  r->copy_gbps = 3900;
  return Status::ok();
}
inline Status failing_smoke(int, cuda::CudaSmokeResult*) {
  return internal_error("cudnnConvolutionForward: CUDNN_STATUS_EXECUTION_FAILED");
}
inline const cuda::PluginApi kFakePlugin = {cuda::kPluginAbiVersion, fake_probe, fake_create,
                                            fake_smoke, nullptr, nullptr};
inline const cuda::PluginApi kFailingSmokePlugin = {cuda::kPluginAbiVersion, fake_probe,
                                                    fake_create, failing_smoke, nullptr, nullptr};

class Scenario {
 public:
  Scenario() {
    std::string tmpl = ::testing::TempDir() + "/doctor-XXXXXX";
    dir_ = mkdtemp(tmpl.data());
    fs::create_directories(dir_ + "/root");
    fs::create_directories(dir_ + "/lib");
    env.root = dir_ + "/root";
    env.libraries = {{dir_ + "/lib"}, true};
    env.ldconfig_output = "";
    env.build = cuda13_build();
    env.plugin = backend::CudaPluginLoad{nullptr, "", "test: CUDA plugin not loaded"};
  }
  ~Scenario() {
    for (const auto& [name, old] : saved_) {
      if (old)
        setenv(name.c_str(), old->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  const std::string& dir() const { return dir_; }

  // What the stub libraries answer (they read the real process environment).
  void stub(const std::string& name, const std::string& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    setenv(name.c_str(), value.c_str(), 1);
  }

  void add_libraries(const std::vector<std::string>& sonames, const std::string& dir = "") {
    const std::string target = dir.empty() ? dir_ + "/lib" : dir;
    fs::create_directories(target);
    for (const std::string& s : sonames)
      fs::create_symlink(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/" + s, target + "/" + s);
  }
  void add_all_libraries_except(const std::string& skip) {
    for (const char* s : kAllStubs)
      if (skip != s) add_libraries({s});
  }

  void write(const std::string& root_path, const std::string& content) {
    const fs::path p = dir_ + "/root" + root_path;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }

  void add_gpu_on_pci() {
    write("/sys/bus/pci/devices/0000:00:00.0/vendor", "0x8086\n");
    write("/sys/bus/pci/devices/0000:00:00.0/class", "0x060000\n");
    write("/sys/bus/pci/devices/0000:01:00.0/vendor", "0x10de\n");
    write("/sys/bus/pci/devices/0000:01:00.0/class", "0x030200\n");
    write("/sys/bus/pci/devices/0000:01:00.0/device", "0x2335\n");
  }
  void add_kernel_module(const std::string& version) {
    write("/proc/driver/nvidia/version",
          "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " + version +
              "  Sun Jul 27 06:54:38 UTC 2025\n"
              "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
  }
  void add_device_nodes(bool with_uvm = true) {
    write("/dev/nvidiactl", "");
    write("/dev/nvidia0", "");
    if (with_uvm) write("/dev/nvidia-uvm", "");
  }
  // A working machine: GPU on the bus, driver 580.65.06 (CUDA 13.0), all libraries.
  void add_healthy_machine() {
    add_gpu_on_pci();
    add_kernel_module("580.65.06");
    add_device_nodes();
    add_all_libraries_except("");
    stub("STUB_DRIVER_VERSION", "580.65.06");
    stub("STUB_CUDA_DRIVER_VERSION", "13000");
    stub("STUB_CUDA_INIT_RESULT", "0");
    stub("STUB_DEVICE_COUNT", "1");
    stub("STUB_CC", "9.0");
    stub("STUB_DEVICE_NAME", "NVIDIA H200");
    stub("STUB_CUDART_VERSION", "13000");
    stub("STUB_CUDNN_VERSION", "91900");
    stub("STUB_MIG", "0");
    stub("STUB_MEM_FREE_MIB", "80000");
  }
  void use_fake_plugin(const cuda::PluginApi* api = &kFakePlugin) {
    env.plugin = backend::CudaPluginLoad{api, "/opt/toonbox/lib/libtoonbox_cuda.so", ""};
  }

  DoctorReport run() const { return run_doctor(env); }

  DoctorEnvironment env;

 private:
  std::string dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

// The check with this id; fails the test (and returns a placeholder) when absent.
inline Check check_of(const DoctorReport& report, const std::string& id) {
  if (const Check* c = report.find(id)) return *c;
  ADD_FAILURE() << "no check " << id;
  return Check{id, CheckStatus::kSkip, "(missing)", "", {}};
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace toonbox::doctor::testing
