#include "bench/machine.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "doctor/cuda_versions.h"
#include "doctor/doctor.h"

#ifndef TOONBOX_BUILD_TYPE
#define TOONBOX_BUILD_TYPE "unknown"
#endif

namespace toonbox::bench {

namespace {

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
  }
  return "unknown";
}

std::string library_version(const doctor::DoctorFacts& f, const std::string& key) {
  const doctor::RuntimeLibrary* lib = f.library(key);
  return lib ? lib->version : "";
}

}  // namespace

MachineInfo describe_machine() {
  MachineInfo m;
  m.toonbox_version = TOONBOX_VERSION;
  m.build_type = TOONBOX_BUILD_TYPE;
#if defined(__clang__)
  m.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  m.compiler = "gcc " __VERSION__;
#else
  m.compiler = __VERSION__;
#endif
  std::error_code ec;
  m.binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  m.cpu_model = cpu_model_name();
  m.cpu_cores = static_cast<int>(std::thread::hardware_concurrency());
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0)
    m.memory_total = static_cast<size_t>(pages) * static_cast<size_t>(page);
  struct utsname u {};
  if (uname(&u) == 0) m.os = std::string(u.sysname) + " " + u.release + " " + u.machine;

  doctor::DoctorEnvironment env = doctor::DoctorEnvironment::from_process();
  env.run_smoke_tests = false;  // bench measures the GPU itself; the doctor's checks cost seconds
  const doctor::DoctorReport report = doctor::run_doctor(env);
  const doctor::DoctorFacts& f = report.facts;
  m.cuda_backend_built = f.build.cuda_backend;
  m.cuda_archs = f.build.cuda_archs;
  if (f.framework.probed && f.framework.probe_status.is_ok()) {
    for (const cuda::CudaDeviceInfo& d : f.framework.runtime.devices)
      m.gpus.push_back({d.index, d.name,
                        std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor),
                        d.multiprocessors, d.memory_total});
  } else {
    for (const doctor::CudaDevice& d : f.driver.devices)
      m.gpus.push_back({d.ordinal, d.name,
                        std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor),
                        d.multiprocessors, static_cast<size_t>(d.memory_total)});
  }
  m.driver_version = f.driver_version();
  if (f.driver_cuda_version() > 0)
    m.driver_cuda = doctor::format_cuda_version(f.driver_cuda_version());
  if (f.framework.probed && f.runtime_version() > 0)
    m.cuda_runtime = doctor::format_cuda_version(f.runtime_version());
  m.cudnn = library_version(f, "cudnn");
  if (m.cudnn.empty() && f.framework.probed && f.framework.runtime.cudnn_version > 0)
    m.cudnn = doctor::format_cudnn_version(static_cast<long>(f.framework.runtime.cudnn_version));
  m.cublas = library_version(f, "cublas");
  m.gpu_verdict = report.toonbox.summary;
  return m;
}

nlohmann::ordered_json machine_json(const MachineInfo& m) {
  nlohmann::ordered_json gpus = nlohmann::ordered_json::array();
  for (const GpuInfo& g : m.gpus)
    gpus.push_back({{"index", g.index},
                    {"name", g.name},
                    {"compute_capability", g.compute_capability},
                    {"multiprocessors", g.multiprocessors},
                    {"memory_total_bytes", g.memory_total}});
  return {
      {"toonbox_version", m.toonbox_version},
      {"build",
       {{"type", m.build_type},
        {"compiler", m.compiler},
        {"cuda_backend", m.cuda_backend_built},
        {"cuda_archs", m.cuda_archs},
        {"binary", m.binary}}},
      {"cpu",
       {{"model", m.cpu_model}, {"cores", m.cpu_cores}, {"memory_total_bytes", m.memory_total}}},
      {"os", m.os},
      {"gpus", gpus},
      {"driver", m.driver_version},
      {"driver_cuda", m.driver_cuda},
      {"cuda_runtime", m.cuda_runtime},
      {"cudnn", m.cudnn},
      {"cublas", m.cublas},
      {"gpu_verdict", m.gpu_verdict}};
}

std::string machine_line(const MachineInfo& m) {
  std::string s;
  for (const GpuInfo& g : m.gpus) s += (s.empty() ? "" : ", ") + g.name;
  if (s.empty()) {
    s = "no GPU";
  } else {
    s += " (driver " + (m.driver_version.empty() ? std::string("?") : m.driver_version);
    if (!m.cuda_runtime.empty()) s += ", CUDA " + m.cuda_runtime;
    if (!m.cudnn.empty()) s += ", cuDNN " + m.cudnn;
    s += ")";
  }
  s += "; " + m.cpu_model + " (" + std::to_string(m.cpu_cores) + " cores); toonbox " +
       m.toonbox_version + " " + m.build_type;
  return s;
}

}  // namespace toonbox::bench
