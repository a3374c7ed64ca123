/* libnvidia-ml.so.1 stand-in. STUB_NVML_INIT_RESULT (0), STUB_DRIVER_VERSION
 * ("580.65.06"), STUB_CUDA_DRIVER_VERSION (13000), STUB_DEVICE_COUNT (1),
 * STUB_DEVICE_NAME, STUB_CC, STUB_MEM_TOTAL_MIB, STUB_MEM_FREE_MIB, STUB_MIG, STUB_ECC. */
#include <stdint.h>

#include "stub_env.h"

typedef struct {
  unsigned long long total, free, used;
} nvmlMemory_t;

static int device_index(void* handle) { return (int)(uintptr_t)handle - 1; }

int nvmlInit_v2(void) { return stub_int("STUB_NVML_INIT_RESULT", 0); }
int nvmlShutdown(void) { return 0; }

const char* nvmlErrorString(int result) {
  switch (result) {
    case 9:
      return "Driver Not Loaded";
    case 18:
      return "RM has detected an NVML/RM version mismatch.";
    default:
      return "Unknown Error";
  }
}

int nvmlSystemGetDriverVersion(char* version, unsigned length) {
  snprintf(version, length, "%s", stub_str("STUB_DRIVER_VERSION", "580.65.06"));
  return 0;
}

int nvmlSystemGetCudaDriverVersion_v2(int* version) {
  *version = stub_int("STUB_CUDA_DRIVER_VERSION", 13000);
  return 0;
}

int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = (unsigned)stub_device_count();
  return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** handle) {
  *handle = (void*)(uintptr_t)(index + 1);
  return 0;
}

int nvmlDeviceGetName(void* handle, char* name, unsigned length) {
  (void)handle;
  snprintf(name, length, "%s", stub_str("STUB_DEVICE_NAME", "NVIDIA Stub GPU"));
  return 0;
}

int nvmlDeviceGetUUID(void* handle, char* uuid, unsigned length) {
  unsigned char b[16];
  stub_uuid_bytes(device_index(handle), b);
  snprintf(uuid, length, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
           b[14], b[15]);
  return 0;
}

int nvmlDeviceGetCudaComputeCapability(void* handle, int* major, int* minor) {
  (void)handle;
  stub_cc(major, minor);
  return 0;
}

int nvmlDeviceGetMemoryInfo(void* handle, nvmlMemory_t* memory) {
  (void)handle;
  memory->total = (unsigned long long)stub_int("STUB_MEM_TOTAL_MIB", 81920) << 20;
  memory->free = (unsigned long long)stub_int("STUB_MEM_FREE_MIB", 80000) << 20;
  memory->used = memory->total - memory->free;
  return 0;
}

int nvmlDeviceGetMigMode(void* handle, unsigned* current, unsigned* pending) {
  (void)handle;
  *current = *pending = (unsigned)stub_int("STUB_MIG", 0);
  return 0;
}

int nvmlDeviceGetEccMode(void* handle, int* current, int* pending) {
  (void)handle;
  *current = *pending = stub_int("STUB_ECC", 1);
  return 0;
}
