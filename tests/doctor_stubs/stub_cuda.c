/* libcuda.so.1 stand-in. STUB_CUDA_DRIVER_VERSION (13000), STUB_CUDA_INIT_RESULT (0),
 * STUB_CUDA_DEVICE_COUNT (else STUB_DEVICE_COUNT, 1), STUB_DEVICE_NAME, STUB_CC. */
#include "stub_env.h"

typedef struct {
  unsigned char bytes[16];
} CUuuid;

int cuDriverGetVersion(int* v) {
  *v = stub_int("STUB_CUDA_DRIVER_VERSION", 13000);
  return 0;
}

int cuInit(unsigned flags) {
  (void)flags;
  return stub_int("STUB_CUDA_INIT_RESULT", 0);
}

int cuDeviceGetCount(int* n) {
  if (stub_int("STUB_CUDA_INIT_RESULT", 0) != 0) return 3; /* CUDA_ERROR_NOT_INITIALIZED */
  *n = stub_int("STUB_CUDA_DEVICE_COUNT", stub_device_count());
  return 0;
}

int cuDeviceGet(int* dev, int ordinal) {
  *dev = ordinal;
  return 0;
}

int cuDeviceGetName(char* name, int len, int dev) {
  (void)dev;
  snprintf(name, (size_t)len, "%s", stub_str("STUB_DEVICE_NAME", "NVIDIA Stub GPU"));
  return 0;
}

int cuDeviceGetUuid_v2(CUuuid* uuid, int dev) {
  stub_uuid_bytes(dev, uuid->bytes);
  return 0;
}

int cuDeviceGetAttribute(int* value, int attribute, int dev) {
  (void)dev;
  int major, minor;
  stub_cc(&major, &minor);
  switch (attribute) {
    case 75:
      *value = major;
      return 0;
    case 76:
      *value = minor;
      return 0;
    case 16:
      *value = 132;
      return 0;
    default:
      *value = 0;
      return 1;
  }
}

int cuDeviceTotalMem_v2(size_t* bytes, int dev) {
  (void)dev;
  *bytes = (size_t)stub_int("STUB_MEM_TOTAL_MIB", 81920) << 20;
  return 0;
}

int cuGetErrorName(int error, const char** name) {
  switch (error) {
    case 34:
      *name = "CUDA_ERROR_STUB_LIBRARY";
      return 0;
    case 100:
      *name = "CUDA_ERROR_NO_DEVICE";
      return 0;
    case 803:
      *name = "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
      return 0;
    case 999:
      *name = "CUDA_ERROR_UNKNOWN";
      return 0;
    default:
      *name = 0;
      return 1;
  }
}

int cuGetErrorString(int error, const char** text) {
  switch (error) {
    case 100:
      *text = "no CUDA-capable device is detected";
      return 0;
    case 999:
      *text = "unknown error";
      return 0;
    default:
      *text = 0;
      return 1;
  }
}
