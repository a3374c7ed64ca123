// The kernels around cuFFT for the Dft op (dft_pack.cu). The transform itself runs in
// fp32 complex whatever the graph's precision: `pack` gathers each line of the signal
// (cut or zero-padded to n, a one-sided spectrum extended by Hermitian symmetry) into a
// contiguous [lines, n] complex float buffer, cuFFT transforms it in place, and `unpack`
// writes the bins the op keeps, scaled, in the storage type. T is float or __half.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

// graph/tensor_geometry.h's DftDims as plain values.
struct DftLayout {
  int64_t outer, in_len, inner, n, out_len;
  int in_components, out_components;
  bool hermitian;  // input: bins 0..n/2 of a Hermitian spectrum
};

template <typename T>
cudaError_t launch_dft_pack(const T* x, float2* lines, DftLayout d, cudaStream_t stream);
template <typename T>
cudaError_t launch_dft_unpack(const float2* lines, T* y, DftLayout d, float scale,
                              cudaStream_t stream);

}  // namespace toonbox::cuda
