#include "doctor/framework_checks.h"

#include <cstdio>

#include "doctor/cuda_versions.h"

namespace toonbox::doctor {
namespace {

std::string format_double(const char* fmt, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

bool any_failure(const std::vector<Section>& sections) {
  for (const Section& s : sections)
    for (const Check& c : s.checks)
      if (c.status == CheckStatus::kFail) return true;
  return false;
}

Check plugin_check(const DoctorFacts& f, bool earlier_failure) {
  const FrameworkFacts& fw = f.framework;
  if (fw.api)
    return ok_check(
        "framework.plugin",
        "CUDA backend loaded: " + (fw.plugin_path.empty() ? "(built in)" : fw.plugin_path));
  if (!f.build.cuda_backend) return skip_check("framework.plugin", fw.plugin_failure);
  std::string fix =
      "install libtoonbox_cuda.so next to the toonbox binary, or point TOONBOX_CUDA_PLUGIN at it";
  if (earlier_failure)
    fix = "fix the first failing check above";
  else if (!fw.plugin_path.empty())
    fix = "the plugin is " + fw.plugin_path + "; install what the message names";
  return fail_check("framework.plugin", "CUDA backend not loaded: " + fw.plugin_failure, fix);
}

Check probe_check(const DoctorFacts& f) {
  const FrameworkFacts& fw = f.framework;
  if (!fw.probe_status.is_ok())
    return fail_check("framework.probe", "CUDA backend probe failed: " + fw.probe_status.message(),
                      "fix the first failing check above");
  const cuda::CudaRuntimeInfo& r = fw.runtime;
  std::string msg = "CUDA backend: runtime " + format_cuda_version(r.runtime_version) +
                    ", driver CUDA " + format_cuda_version(r.driver_version) + ", cuDNN " +
                    format_cudnn_version(static_cast<long>(r.cudnn_version));
  // CUBLAS_VERSION encoding: major * 10000 + minor * 100 + patch.
  if (r.cublas_version > 0)
    msg += ", cuBLAS " + std::to_string(r.cublas_version / 10000) + "." +
           std::to_string(r.cublas_version / 100 % 100) + "." +
           std::to_string(r.cublas_version % 100);
  msg += ", " + std::to_string(r.devices.size()) + " device(s)";
  if (r.devices.empty())
    return fail_check("framework.probe", msg, "fix the first failing check above");
  Check c = ok_check("framework.probe", msg);
  for (const cuda::CudaDeviceInfo& d : r.devices)
    if (!d.kernel_image_available)
      c.details.push_back("cuda:" + std::to_string(d.index) + " " + d.name +
                          ": the backend reports no kernel image for it");
  return c;
}

Check smoke_check(const SmokeRun& run) {
  const std::string id = "framework.smoke." + std::to_string(run.device);
  const std::string who = "cuda:" + std::to_string(run.device) + " " + run.name;
  const cuda::CudaSmokeResult& r = run.result;
  if (!run.status.is_ok())
    return fail_check(id, who + ": smoke test failed: " + run.status.message(),
                      "fix the first failing check above; this is where the GPU stops working");
  if (!r.ok)
    return fail_check(
        id, who + ": smoke test gave wrong results: " + (r.detail.empty() ? "no detail" : r.detail),
        "report this with the output of `toonbox doctor --json`; use --device cpu meanwhile");
  Check c =
      ok_check(id, who + ": conv fp32 max|err| " + format_double("%.1e", r.conv_fp32_max_abs_err) +
                       ", fp16 " + format_double("%.1e", r.conv_fp16_max_abs_err) +
                       " vs CPU; cuBLAS GEMM rel err " + format_double("%.1e", r.gemm_max_rel_err) +
                       "; " + format_double("%.1f", r.gemm_tflops) + " TFLOP/s fp16 GEMM, " +
                       format_double("%.0f", r.copy_gbps) + " GB/s copy");
  return c;
}

}  // namespace

Section framework_checks(const DoctorFacts& f, const std::vector<Section>& earlier) {
  Section s{"Framework", {}};
  s.checks.push_back(plugin_check(f, any_failure(earlier)));
  const FrameworkFacts& fw = f.framework;
  if (!fw.api) {
    s.checks.push_back(skip_check(
        "framework.smoke",
        "smoke test not run: " +
            (fw.plugin_failure.empty() ? std::string("no CUDA backend") : fw.plugin_failure)));
    return s;
  }
  s.checks.push_back(probe_check(f));
  if (!fw.probe_status.is_ok()) return s;
  if (fw.smoke.empty() && !fw.runtime.devices.empty())
    s.checks.push_back(skip_check("framework.smoke", "smoke test not run (disabled)"));
  for (const SmokeRun& run : fw.smoke) s.checks.push_back(smoke_check(run));
  return s;
}

Verdict toonbox_verdict(const std::vector<Section>& sections, const DoctorFacts& f) {
  bool warned = false;
  for (const Section& s : sections)
    for (const Check& c : s.checks) {
      if (c.status == CheckStatus::kFail)
        return {Usability::kNotUsable, "GPU: not usable — " + c.message};
      warned = warned || c.status == CheckStatus::kWarn;
    }
  std::vector<const SmokeRun*> passed;
  for (const SmokeRun& run : f.framework.smoke)
    if (run.status.is_ok() && run.result.ok) passed.push_back(&run);
  if (passed.empty()) {
    // No failure, but nothing proved the GPU works either: say what stopped short.
    for (const Section& s : sections)
      for (const Check& c : s.checks)
        if (s.name == "Framework" && c.status == CheckStatus::kSkip)
          return {Usability::kNotUsable, "GPU: not usable — " + c.message};
    return {Usability::kNotUsable, "GPU: not usable — no device passed the smoke test"};
  }
  std::string summary = "GPU: active — " + passed.front()->name +
                        " (cuda:" + std::to_string(passed.front()->device) + "), fp32+fp16 ok";
  if (passed.size() > 1) summary += ", +" + std::to_string(passed.size() - 1) + " more GPU(s)";
  if (warned) summary += " (with warnings)";
  return {warned ? Usability::kDegraded : Usability::kUsable, summary};
}

}  // namespace toonbox::doctor
