// The doctor's framework-layer check of one GPU: the backend end to end on a small
// convolution (fp32 and fp16 against the CPU reference), a large cuBLAS fp16 GEMM
// (checked against a float64 product on sampled entries, and timed), and a 1 GiB
// device-to-device copy (timed).
#pragma once

#include "backend/cuda/plugin_api.h"

namespace toonbox::cuda {

// Returns an error when a step could not run; when all ran, result->ok says whether
// every number is within its bound and result->detail names the first that is not.
Status cuda_smoke_test(int device_index, CudaSmokeResult* result);

}  // namespace toonbox::cuda
