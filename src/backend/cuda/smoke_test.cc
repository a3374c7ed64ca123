#include "backend/cuda/smoke_test.h"

#include <cuda_fp16.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_handles.h"
#include "compile/specialize.h"
#include "ops/reference.h"

namespace toonbox::cuda {

namespace {

// Bounds for a pass. The conv's outputs are O(1); fp16 storage rounds inputs, weights
// and outputs to 11 significant bits.
constexpr double kConvFp32MaxAbs = 1e-4;
constexpr double kConvFp16MaxAbs = 2e-2;
constexpr double kGemmMaxRel = 5e-3;  // |error| / RMS of the sampled true values

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

Tensor random_tensor(Shape shape, uint32_t seed, float scale) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

Status conv_check(backend::Backend* backend, CudaSmokeResult* r) {
  const Shape x_shape{1, 32, 33, 35};
  graph::Graph g;
  const int x = g.add_input("x", DType::kFloat32, x_shape);
  const int w = g.add_constant("w", random_tensor({16, 35, 3, 3}, 2, 1.f / std::sqrt(35.f * 9.f)));
  const int b = g.add_constant("b", random_tensor({16}, 3, 0.5f));
  graph::Conv2DParams p;
  p.layout = graph::Layout::kNHWC;
  p.pad_mode = graph::PadMode::kSameUpper;
  p.activation = graph::Activation{graph::UnaryOp::kLeakyRelu, 0.2f, 0.f};
  g.add_output(g.add_node(graph::OpKind::kConv2D, "smoke_conv", {x, w, b}, p));
  TB_ASSIGN_OR_RETURN(graph::Graph spec, compile::specialize(g, {x_shape}));
  const Tensor input = random_tensor(x_shape, 1, 1.f);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> want, ops::reference_run(spec, {input}));
  for (Precision precision : {Precision::kFloat32, Precision::kFloat16}) {
    TB_ASSIGN_OR_RETURN(std::unique_ptr<backend::Executable> exe,
                        backend->compile(spec, backend::CompileOptions{precision}));
    std::vector<Tensor> got;
    TB_RETURN_IF_ERROR(exe->run({input}, &got, nullptr));
    double err = 0;
    for (int64_t i = 0; i < want[0].numel(); ++i)
      err = std::max(err, std::abs(static_cast<double>(got[0].data<float>()[i]) - want[0].data<float>()[i]));
    if (std::isnan(err) || !std::isfinite(err)) err = INFINITY;
    (precision == Precision::kFloat32 ? r->conv_fp32_max_abs_err : r->conv_fp16_max_abs_err) = err;
  }
  return Status::ok();
}

Status gemm_check(CudaSmokeResult* r) {
  constexpr int n = 4096;
  constexpr int kWarmup = 2, kTimed = 10;
  const size_t count = static_cast<size_t>(n) * n;
  std::vector<__half> a(count), b(count);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (size_t i = 0; i < count; ++i) a[i] = __float2half(dist(rng));
  for (size_t i = 0; i < count; ++i) b[i] = __float2half(dist(rng));

  TB_ASSIGN_OR_RETURN(UniqueStream stream, create_stream());
  TB_ASSIGN_OR_RETURN(UniqueCublas cublas, create_cublas(stream.get()));
  TB_ASSIGN_OR_RETURN(DeviceBuffer da, DeviceBuffer::allocate(count * 2, "smoke GEMM A"));
  TB_ASSIGN_OR_RETURN(DeviceBuffer db, DeviceBuffer::allocate(count * 2, "smoke GEMM B"));
  TB_ASSIGN_OR_RETURN(DeviceBuffer dc, DeviceBuffer::allocate(count * 2, "smoke GEMM C"));
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(da.get(), a.data(), count * 2, cudaMemcpyHostToDevice, stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(db.get(), b.data(), count * 2, cudaMemcpyHostToDevice, stream.get()));
  TB_ASSIGN_OR_RETURN(UniqueEvent start, create_event());
  TB_ASSIGN_OR_RETURN(UniqueEvent stop, create_event());

  // Column-major C = A * B with all three n x n: C[i + j*n] = sum_k A[i + k*n] B[k + j*n].
  const float alpha = 1.f, beta = 0.f;
  auto gemm = [&]() -> Status {
    TB_CUBLAS_RETURN_IF_ERROR(cublasGemmEx(cublas.get(), CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &alpha, da.get(),
                                           CUDA_R_16F, n, db.get(), CUDA_R_16F, n, &beta, dc.get(), CUDA_R_16F,
                                           n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return Status::ok();
  };
  for (int i = 0; i < kWarmup; ++i) TB_RETURN_IF_ERROR(gemm());
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start.get(), stream.get()));
  for (int i = 0; i < kTimed; ++i) TB_RETURN_IF_ERROR(gemm());
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(stop.get(), stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(stop.get()));
  float ms = 0;
  TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  r->gemm_tflops = 2.0 * n * n * n * kTimed / (ms * 1e-3) / 1e12;

  std::vector<__half> c(count);
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(c.data(), dc.get(), count * 2, cudaMemcpyDeviceToHost, stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream.get()));
  std::uniform_int_distribution<int> pick(0, n - 1);
  double sum_sq = 0, max_err = 0;
  constexpr int kSamples = 256;
  for (int s = 0; s < kSamples; ++s) {
    const int i = pick(rng), j = pick(rng);
    double want = 0;
    for (int k = 0; k < n; ++k)
      want += static_cast<double>(__half2float(a[i + static_cast<size_t>(k) * n])) *
              __half2float(b[k + static_cast<size_t>(j) * n]);
    const double got = __half2float(c[i + static_cast<size_t>(j) * n]);
    sum_sq += want * want;
    max_err = std::max(max_err, std::abs(got - want));
    if (!std::isfinite(got)) max_err = INFINITY;
  }
  r->gemm_max_rel_err = max_err / std::sqrt(sum_sq / kSamples);
  return Status::ok();
}

Status copy_check(CudaSmokeResult* r) {
  constexpr size_t kBytes = size_t{1} << 30;
  constexpr int kTimed = 5;
  TB_ASSIGN_OR_RETURN(UniqueStream stream, create_stream());
  TB_ASSIGN_OR_RETURN(DeviceBuffer src, DeviceBuffer::allocate(kBytes, "smoke copy source"));
  TB_ASSIGN_OR_RETURN(DeviceBuffer dst, DeviceBuffer::allocate(kBytes, "smoke copy destination"));
  TB_ASSIGN_OR_RETURN(UniqueEvent start, create_event());
  TB_ASSIGN_OR_RETURN(UniqueEvent stop, create_event());
  TB_CUDA_RETURN_IF_ERROR(cudaMemsetAsync(src.get(), 1, kBytes, stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(dst.get(), src.get(), kBytes, cudaMemcpyDeviceToDevice, stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start.get(), stream.get()));
  for (int i = 0; i < kTimed; ++i)
    TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(dst.get(), src.get(), kBytes, cudaMemcpyDeviceToDevice, stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(stop.get(), stream.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(stop.get()));
  float ms = 0;
  TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  r->copy_gbps = 2.0 * kBytes * kTimed / (ms * 1e-3) / 1e9;
  return Status::ok();
}

}  // namespace

Status cuda_smoke_test(int device, CudaSmokeResult* r) {
  *r = CudaSmokeResult{};
  auto failed = [r](const char* what, const Status& st) {
    r->ok = false;
    r->detail = std::string(what) + ": " + st.to_string();
    return st.with_context(std::string("smoke test, ") + what);
  };
  {
    auto backend = create_cuda_backend(device);  // probes first: names a missing layer
    if (!backend.is_ok()) return failed("opening the device", backend.status());
    DeviceGuard guard;
    if (Status st = guard.set(device); !st.is_ok()) return failed("selecting the device", st);
    if (Status st = conv_check(backend.value().get(), r); !st.is_ok()) return failed("convolution", st);
    if (Status st = gemm_check(r); !st.is_ok()) return failed("cuBLAS GEMM", st);
    if (Status st = copy_check(r); !st.is_ok()) return failed("device copy", st);
  }
  r->ok = true;
  if (!(r->conv_fp32_max_abs_err <= kConvFp32MaxAbs)) {
    r->ok = false;
    r->detail = "conv fp32 max abs error " + fmt("%.3g", r->conv_fp32_max_abs_err) + " exceeds " +
                fmt("%.0e", kConvFp32MaxAbs);
  } else if (!(r->conv_fp16_max_abs_err <= kConvFp16MaxAbs)) {
    r->ok = false;
    r->detail = "conv fp16 max abs error " + fmt("%.3g", r->conv_fp16_max_abs_err) + " exceeds " +
                fmt("%.0e", kConvFp16MaxAbs);
  } else if (!(r->gemm_max_rel_err <= kGemmMaxRel)) {
    r->ok = false;
    r->detail = "GEMM relative error " + fmt("%.3g", r->gemm_max_rel_err) + " exceeds " + fmt("%.0e", kGemmMaxRel);
  }
  return Status::ok();
}

}  // namespace toonbox::cuda
