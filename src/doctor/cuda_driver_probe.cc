#include "doctor/cuda_driver_probe.h"

#include <cstdio>

namespace toonbox::doctor {
namespace {

// From cuda.h, declared here so this layer builds without a CUDA toolkit.
using CuResult = int;
using CuDevice = int;
struct CuUuid {
  unsigned char bytes[16];
};
constexpr int kAttrMultiprocessorCount = 16;
constexpr int kAttrComputeCapabilityMajor = 75;
constexpr int kAttrComputeCapabilityMinor = 76;

struct CudaApi {
  CuResult (*init)(unsigned);
  CuResult (*driver_get_version)(int*);
  CuResult (*device_get_count)(int*);
  CuResult (*device_get)(CuDevice*, int);
  CuResult (*device_get_name)(char*, int, CuDevice);
  CuResult (*device_get_uuid)(CuUuid*, CuDevice);
  CuResult (*device_get_attribute)(int*, int, CuDevice);
  CuResult (*device_total_mem)(size_t*, CuDevice);
  CuResult (*get_error_name)(CuResult, const char**);
  CuResult (*get_error_string)(CuResult, const char**);
};

std::string describe_error(const CudaApi& api, CuResult r) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.get_error_name) api.get_error_name(r, &name);
  if (api.get_error_string) api.get_error_string(r, &text);
  std::string out = name ? name : "CUresult " + std::to_string(r);
  if (text) out += std::string(": ") + text;
  return out;
}

CudaDevice query_device(const CudaApi& api, int ordinal) {
  CudaDevice d;
  d.ordinal = ordinal;
  CuDevice dev = 0;
  if (!api.device_get || api.device_get(&dev, ordinal) != 0) return d;
  char name[256] = {};
  if (api.device_get_name && api.device_get_name(name, sizeof name, dev) == 0) d.name = name;
  CuUuid uuid{};
  if (api.device_get_uuid && api.device_get_uuid(&uuid, dev) == 0)
    d.uuid = format_gpu_uuid(uuid.bytes);
  if (api.device_get_attribute) {
    api.device_get_attribute(&d.cc_major, kAttrComputeCapabilityMajor, dev);
    api.device_get_attribute(&d.cc_minor, kAttrComputeCapabilityMinor, dev);
    api.device_get_attribute(&d.multiprocessors, kAttrMultiprocessorCount, dev);
  }
  size_t bytes = 0;
  if (api.device_total_mem && api.device_total_mem(&bytes, dev) == 0) d.memory_total = bytes;
  return d;
}

}  // namespace

std::string format_gpu_uuid(const unsigned char b[16]) {
  char buf[64];
  std::snprintf(buf, sizeof buf,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return buf;
}

CudaDriverFacts probe_cuda_driver(const LibrarySearchPath& search) {
  CudaDriverFacts facts;
  facts.library = open_shared_library("libcuda.so.1", search);
  if (!facts.library.loaded()) return facts;
  const SharedLibrary& lib = facts.library;
  CudaApi api{};
  lib.bind(&api.init, "cuInit");
  lib.bind(&api.driver_get_version, "cuDriverGetVersion");
  lib.bind(&api.device_get_count, "cuDeviceGetCount");
  lib.bind(&api.device_get, "cuDeviceGet");
  lib.bind(&api.device_get_name, "cuDeviceGetName");
  lib.bind(&api.device_get_uuid, "cuDeviceGetUuid_v2", "cuDeviceGetUuid");
  lib.bind(&api.device_get_attribute, "cuDeviceGetAttribute");
  lib.bind(&api.device_total_mem, "cuDeviceTotalMem_v2", "cuDeviceTotalMem");
  lib.bind(&api.get_error_name, "cuGetErrorName");
  lib.bind(&api.get_error_string, "cuGetErrorString");
  // cuDriverGetVersion needs no cuInit, so the version is known even when init fails.
  if (api.driver_get_version) api.driver_get_version(&facts.driver_version);
  if (!api.init) {
    facts.init_called = true;
    facts.init_result = -1;
    facts.init_error = lib.path + " has no cuInit: not a CUDA driver";
    return facts;
  }
  facts.init_called = true;
  facts.init_result = api.init(0);
  if (facts.init_result != 0) {
    facts.init_error = describe_error(api, facts.init_result);
    return facts;
  }
  int count = 0;
  if (api.device_get_count && api.device_get_count(&count) == 0)
    for (int i = 0; i < count && i < 64; ++i) facts.devices.push_back(query_device(api, i));
  return facts;
}

}  // namespace toonbox::doctor
