#include "doctor/nvml_probe.h"

namespace toonbox::doctor {
namespace {

// The few NVML types and entry points used, declared here so this layer needs no
// NVIDIA headers (nvml.h: nvmlReturn_t is an int enum, nvmlDevice_t an opaque pointer).
using NvmlReturn = int;
using NvmlDeviceHandle = void*;
struct NvmlMemory {
  unsigned long long total, free, used;
};

struct NvmlApi {
  NvmlReturn (*init)();
  NvmlReturn (*shutdown)();
  const char* (*error_string)(NvmlReturn);
  NvmlReturn (*driver_version)(char*, unsigned);
  NvmlReturn (*cuda_driver_version)(int*);
  NvmlReturn (*device_count)(unsigned*);
  NvmlReturn (*handle_by_index)(unsigned, NvmlDeviceHandle*);
  NvmlReturn (*name)(NvmlDeviceHandle, char*, unsigned);
  NvmlReturn (*uuid)(NvmlDeviceHandle, char*, unsigned);
  NvmlReturn (*compute_capability)(NvmlDeviceHandle, int*, int*);
  NvmlReturn (*memory_info)(NvmlDeviceHandle, NvmlMemory*);
  NvmlReturn (*mig_mode)(NvmlDeviceHandle, unsigned*, unsigned*);
  NvmlReturn (*ecc_mode)(NvmlDeviceHandle, int*, int*);
};

std::string nvml_error(const NvmlApi& api, NvmlReturn r) {
  const char* text = api.error_string ? api.error_string(r) : nullptr;
  return (text ? std::string(text) : "NVML error") + " (" + std::to_string(r) + ")";
}

NvmlDevice query_device(const NvmlApi& api, unsigned index) {
  NvmlDevice d;
  d.index = index;
  NvmlDeviceHandle h = nullptr;
  if (!api.handle_by_index || api.handle_by_index(index, &h) != 0) return d;
  char buf[256] = {};
  if (api.name && api.name(h, buf, sizeof buf) == 0) d.name = buf;
  char uuid[96] = {};
  if (api.uuid && api.uuid(h, uuid, sizeof uuid) == 0) d.uuid = uuid;
  if (api.compute_capability) api.compute_capability(h, &d.cc_major, &d.cc_minor);
  NvmlMemory mem{};
  if (api.memory_info && api.memory_info(h, &mem) == 0) {
    d.memory_known = true;
    d.memory_total = mem.total;
    d.memory_free = mem.free;
  }
  unsigned mig_current = 0, mig_pending = 0;
  if (api.mig_mode && api.mig_mode(h, &mig_current, &mig_pending) == 0)
    d.mig_mode = mig_current ? 1 : 0;
  int ecc_current = 0, ecc_pending = 0;
  if (api.ecc_mode && api.ecc_mode(h, &ecc_current, &ecc_pending) == 0)
    d.ecc_mode = ecc_current ? 1 : 0;
  return d;
}

}  // namespace

NvmlFacts probe_nvml(const LibrarySearchPath& search) {
  NvmlFacts facts;
  facts.library = open_shared_library("libnvidia-ml.so.1", search);
  if (!facts.library.loaded()) {
    facts.error = facts.library.error;
    return facts;
  }
  const SharedLibrary& lib = facts.library;
  NvmlApi api{};
  lib.bind(&api.init, "nvmlInit_v2", "nvmlInit");
  lib.bind(&api.shutdown, "nvmlShutdown");
  lib.bind(&api.error_string, "nvmlErrorString");
  lib.bind(&api.driver_version, "nvmlSystemGetDriverVersion");
  lib.bind(&api.cuda_driver_version, "nvmlSystemGetCudaDriverVersion_v2",
           "nvmlSystemGetCudaDriverVersion");
  lib.bind(&api.device_count, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
  lib.bind(&api.handle_by_index, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
  lib.bind(&api.name, "nvmlDeviceGetName");
  lib.bind(&api.uuid, "nvmlDeviceGetUUID");
  lib.bind(&api.compute_capability, "nvmlDeviceGetCudaComputeCapability");
  lib.bind(&api.memory_info, "nvmlDeviceGetMemoryInfo");
  lib.bind(&api.mig_mode, "nvmlDeviceGetMigMode");
  lib.bind(&api.ecc_mode, "nvmlDeviceGetEccMode");
  if (!api.init) {
    facts.error = lib.path + " has no nvmlInit_v2: not a usable NVML";
    return facts;
  }
  if (NvmlReturn r = api.init(); r != 0) {
    facts.init_error = r;
    facts.error = nvml_error(api, r);
    return facts;
  }
  facts.initialized = true;
  char version[96] = {};
  if (api.driver_version && api.driver_version(version, sizeof version) == 0)
    facts.driver_version = version;
  if (api.cuda_driver_version) api.cuda_driver_version(&facts.cuda_driver_version);
  unsigned count = 0;
  if (api.device_count && api.device_count(&count) == 0)
    for (unsigned i = 0; i < count && i < 64; ++i) facts.devices.push_back(query_device(api, i));
  if (api.shutdown) api.shutdown();
  return facts;
}

}  // namespace toonbox::doctor
