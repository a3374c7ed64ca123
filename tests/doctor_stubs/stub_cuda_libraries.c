/* One source for the CUDA library stand-ins; STUB_LIBRARY selects which version entry
 * point a build of it exports: libcudart.so.13 (STUB_CUDART_VERSION, 13000),
 * libcublas.so.13 (STUB_CUBLAS_VERSION "13.0.2"), libcudnn.so.9 (STUB_CUDNN_VERSION,
 * 91900), libnvrtc.so.13 (STUB_NVRTC_VERSION, 13000). */
#include "stub_env.h"

#if STUB_LIBRARY == 1
int cudaRuntimeGetVersion(int* version) {
  *version = stub_int("STUB_CUDART_VERSION", 13000);
  return 0;
}
#elif STUB_LIBRARY == 2
int cublasGetProperty(int type, int* value) {
  int major = 13, minor = 0, patch = 2;
  sscanf(stub_str("STUB_CUBLAS_VERSION", "13.0.2"), "%d.%d.%d", &major, &minor, &patch);
  *value = type == 0 ? major : type == 1 ? minor : patch;
  return 0;
}
#elif STUB_LIBRARY == 3
size_t cudnnGetVersion(void) { return (size_t)stub_int("STUB_CUDNN_VERSION", 91900); }
#elif STUB_LIBRARY == 4
int nvrtcVersion(int* major, int* minor) {
  int v = stub_int("STUB_NVRTC_VERSION", 13000);
  *major = v / 1000;
  *minor = (v % 1000) / 10;
  return 0;
}
#endif
