#include "doctor/framework_probe.h"

namespace toonbox::doctor {

FrameworkFacts probe_framework(const DoctorEnvironment& env) {
  FrameworkFacts f;
  const backend::CudaPluginLoad& load = env.plugin ? *env.plugin : backend::load_cuda_plugin();
  f.api = load.api;
  f.plugin_path = load.path;
  f.plugin_failure = load.failure;
  if (!f.api) return f;
  f.probed = true;
  f.probe_status = f.api->probe(&f.runtime);
  if (!f.probe_status.is_ok() || !env.run_smoke_tests) return f;
  for (const cuda::CudaDeviceInfo& d : f.runtime.devices) {
    SmokeRun run;
    run.device = d.index;
    run.name = d.name;
    run.status = f.api->smoke_test(d.index, &run.result);
    f.smoke.push_back(std::move(run));
  }
  return f;
}

}  // namespace toonbox::doctor
