#include "doctor/doctor.h"

#include "doctor/framework_checks.h"
#include "doctor/hardware_checks.h"
#include "doctor/ldconfig_cache.h"
#include "doctor/pytorch_checks.h"
#include "doctor/system_checks.h"

namespace toonbox::doctor {
namespace {

int exit_code_for(Usability u) {
  switch (u) {
    case Usability::kUsable:
      return kExitUsable;
    case Usability::kDegraded:
      return kExitDegraded;
    case Usability::kNotUsable:
      return kExitNotUsable;
  }
  return kExitNotUsable;
}

// Not usable beats degraded beats usable.
int worse(int a, int b) {
  auto rank = [](int code) { return code == kExitNotUsable ? 2 : code == kExitDegraded ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

const Check* DoctorReport::find(const std::string& id) const {
  for (const Section& s : sections)
    for (const Check& c : s.checks)
      if (c.id == id) return &c;
  return nullptr;
}

DoctorFacts gather_facts(const DoctorEnvironment& env) {
  DoctorFacts f;
  f.platform = probe_platform(env);
  f.nvml = probe_nvml(env.libraries);
  f.driver = probe_cuda_driver(env.libraries);
  // The plugin loads before the library checks, so opening a soname below returns the
  // copy the plugin really uses (the loader matches already-loaded sonames first).
  f.framework = probe_framework(env);
  f.build = env.build;
  if (f.framework.probed && f.framework.probe_status.is_ok()) {
    const cuda::CudaRuntimeInfo& r = f.framework.runtime;
    f.build.cuda_backend = true;
    if (r.cudnn_compiled > 0) f.build.cudnn_version = static_cast<long>(r.cudnn_compiled);
    if (!r.compiled_archs.empty()) f.build.cuda_archs = r.compiled_archs;
  }
  const LdconfigCache cache = LdconfigCache::load(env);
  const int plugin_runtime = f.framework.probed ? f.framework.runtime.runtime_version : 0;
  if (f.build.cuda_backend)
    f.libraries = probe_runtime_libraries(f.build, env, cache, plugin_runtime);
  if (!env.python.empty()) f.torch = probe_torch(env, cache);
  return f;
}

DoctorReport diagnose(DoctorFacts facts, const DoctorEnvironment& env) {
  DoctorReport report;
  report.facts = std::move(facts);
  const DoctorFacts& f = report.facts;
  report.sections.push_back(hardware_checks(f, env));
  report.sections.push_back(system_checks(f));
  report.sections.push_back(framework_checks(f, report.sections));
  report.toonbox = toonbox_verdict(report.sections, f);
  report.exit_code = exit_code_for(report.toonbox.usability);
  if (f.torch) {
    report.sections.push_back(pytorch_checks(*f.torch, f));
    report.pytorch = pytorch_verdict(report.sections.back(), *f.torch, report.sections.front());
    report.exit_code = worse(report.exit_code, exit_code_for(report.pytorch->usability));
  }
  return report;
}

}  // namespace toonbox::doctor
