#include "doctor/report_format.h"

#include "doctor/cuda_versions.h"

namespace toonbox::doctor {
namespace {

// Ordered so the verdict comes first for a reader of the raw output.
using json = nlohmann::ordered_json;

const char* usability_name(Usability u) {
  switch (u) {
    case Usability::kUsable:
      return "usable";
    case Usability::kDegraded:
      return "degraded";
    case Usability::kNotUsable:
      return "not_usable";
  }
  return "not_usable";
}

json verdict_json(const Verdict& v) {
  return {{"status", usability_name(v.usability)}, {"summary", v.summary}};
}

json library_json(const SharedLibrary& lib) {
  json j = {{"soname", lib.soname}, {"loaded", lib.loaded()}};
  if (lib.loaded())
    j["path"] = lib.path;
  else
    j["error"] = lib.error;
  return j;
}

json facts_json(const DoctorFacts& f) {
  json gpus = json::array();
  for (const CudaDevice& d : f.driver.devices)
    gpus.push_back(
        {{"cuda_index", d.ordinal},
         {"name", d.name},
         {"uuid", d.uuid},
         {"compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor)},
         {"multiprocessors", d.multiprocessors},
         {"memory_total", d.memory_total}});
  json nvml_gpus = json::array();
  for (const NvmlDevice& d : f.nvml.devices) {
    json g = {
        {"index", d.index},
        {"name", d.name},
        {"uuid", d.uuid},
        {"compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor)}};
    if (d.memory_known) g["memory_total"] = d.memory_total, g["memory_free"] = d.memory_free;
    if (d.mig_mode >= 0) g["mig"] = d.mig_mode == 1;
    if (d.ecc_mode >= 0) g["ecc"] = d.ecc_mode == 1;
    nvml_gpus.push_back(g);
  }
  json libs = json::array();
  for (const RuntimeLibrary& lib : f.libraries) {
    json l = library_json(lib.library);
    l["name"] = lib.role;
    if (!lib.version.empty()) l["version"] = lib.version;
    json copies = json::array();
    for (const LibraryCopy& c : lib.other_copies)
      copies.push_back({{"path", c.path},
                        {"version", c.version},
                        {"via", c.where},
                        {"same_soname", c.same_soname}});
    l["other_copies"] = copies;
    libs.push_back(l);
  }
  json j = {
      {"build",
       {{"cuda_backend", f.build.cuda_backend},
        {"cuda_runtime", f.build.cuda_runtime_version > 0
                             ? json(format_cuda_version(f.build.cuda_runtime_version))
                             : json()},
        {"cudnn",
         f.build.cudnn_version > 0 ? json(format_cudnn_version(f.build.cudnn_version)) : json()},
        {"cuda_archs", f.build.cuda_archs}}},
      {"platform",
       {{"in_container", f.platform.in_container},
        {"container_evidence", f.platform.container_evidence},
        {"nvidia_pci_devices", f.platform.nvidia_gpus.size()},
        {"kernel_module", f.platform.kernel_module_version},
        {"device_nodes", f.platform.device_nodes}}},
      {"driver",
       {{"version", f.driver_version()},
        {"cuda",
         f.driver_cuda_version() > 0 ? json(format_cuda_version(f.driver_cuda_version())) : json()},
        {"libcuda", library_json(f.driver.library)},
        {"nvml", library_json(f.nvml.library)},
        {"cuinit", f.driver.init_called ? json(f.driver.init_result) : json()}}},
      {"cuda_devices", gpus},
      {"nvml_devices", nvml_gpus},
      {"libraries", libs},
  };
  json smoke = json::array();
  for (const SmokeRun& r : f.framework.smoke)
    smoke.push_back({{"device", r.device},
                     {"name", r.name},
                     {"ok", r.status.is_ok() && r.result.ok},
                     {"error", r.status.is_ok() ? r.result.detail : r.status.message()},
                     {"conv_fp32_max_abs_err", r.result.conv_fp32_max_abs_err},
                     {"conv_fp16_max_abs_err", r.result.conv_fp16_max_abs_err},
                     {"gemm_max_rel_err", r.result.gemm_max_rel_err},
                     {"gemm_tflops", r.result.gemm_tflops},
                     {"copy_gbps", r.result.copy_gbps}});
  j["framework"] = {{"plugin_loaded", f.framework.api != nullptr},
                    {"plugin_path", f.framework.plugin_path},
                    {"plugin_failure", f.framework.plugin_failure},
                    {"smoke_tests", smoke}};
  if (f.torch) {
    const TorchFacts& t = *f.torch;
    json needed = json::array();
    for (const ResolvedLibrary& r : t.needed)
      needed.push_back({{"needed", r.needed},
                        {"path", r.path},
                        {"via", r.via},
                        {"version", r.version},
                        {"shadowed", r.shadowed_path}});
    json devices = json::array();
    for (const TorchDevice& d : t.devices)
      devices.push_back(
          {{"name", d.name},
           {"compute_capability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor)}});
    j["pytorch"] = {{"python", t.python},
                    {"python_version", t.python_version},
                    {"error", t.run_error.empty() ? t.import_error : t.run_error},
                    {"torch_version", t.torch_version},
                    {"cuda", t.cuda.empty() ? json() : json(t.cuda)},
                    {"cudnn", t.cudnn > 0 ? json(format_cudnn_version(t.cudnn)) : json()},
                    {"is_available", t.is_available},
                    {"devices", devices},
                    {"arch_list", t.arch_list},
                    {"warnings", t.warnings},
                    {"libtorch_cuda", t.torch_cuda_library},
                    {"needed", needed},
                    {"loaded_libraries", t.loaded_libraries}};
  }
  return j;
}

}  // namespace

json render_json(const DoctorReport& report) {
  json sections = json::array();
  for (const Section& s : report.sections) {
    json checks = json::array();
    for (const Check& c : s.checks) {
      json jc = {{"id", c.id}, {"status", check_status_name(c.status)}, {"message", c.message}};
      if (!c.fix.empty()) jc["fix"] = c.fix;
      if (!c.details.empty()) jc["details"] = c.details;
      checks.push_back(jc);
    }
    sections.push_back({{"name", s.name}, {"checks", checks}});
  }
  json j = {{"schema", "toonbox.doctor/1"},  {"toonbox_version", TOONBOX_VERSION},
            {"exit_code", report.exit_code}, {"verdict", verdict_json(report.toonbox)},
            {"sections", sections},          {"facts", facts_json(report.facts)}};
  if (report.pytorch) j["pytorch_verdict"] = verdict_json(*report.pytorch);
  return j;
}

}  // namespace toonbox::doctor
