// Helpers shared by op and model tests: random tensors, one-op graphs, error metrics,
// the CUDA backend (or why it is unavailable).
#pragma once

#include <cmath>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "backend/cuda_plugin_loader.h"
#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox::test {

// Uniform values in [lo, hi). Never zeros: zeros hide unwritten outputs.
inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

struct ErrorStats {
  double max_abs = 0;
  double nmse = 0;  // sum((a-b)^2) / sum(b^2), as ggml's test-backend-ops
  bool has_nan = false;
  std::string to_string() const {
    return "max_abs=" + std::to_string(max_abs) + " nmse=" + std::to_string(nmse) +
           (has_nan ? " NaN!" : "");
  }
};

inline ErrorStats compare(const Tensor& got, const Tensor& want) {
  ErrorStats s;
  double num = 0, den = 0;
  const int64_t n = std::min(got.numel(), want.numel());
  for (int64_t i = 0; i < n; ++i) {
    const double a = got.data<float>()[i], b = want.data<float>()[i];
    if (std::isnan(a) || std::isnan(b)) s.has_nan = true;
    s.max_abs = std::max(s.max_abs, std::abs(a - b));
    num += (a - b) * (a - b);
    den += b * b;
  }
  s.nmse = den > 0 ? num / den : num;
  if (got.numel() != want.numel()) s.has_nan = true;  // shape mismatch counts as failure
  return s;
}

// Peak signal-to-noise ratio for values in [-1, 1] (peak-to-peak 2).
inline double psnr_pm1(const Tensor& got, const Tensor& want) {
  double mse = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double d = got.data<float>()[i] - want.data<float>()[i];
    mse += d * d;
  }
  mse /= static_cast<double>(want.numel());
  return mse == 0 ? 200.0 : 10.0 * std::log10(4.0 / mse);
}

// cuda:0 through the CUDA plugin; null, with *skip_reason saying why ("CUDA backend
// unavailable: ..."), where the plugin does not load or the device cannot be opened.
inline std::unique_ptr<backend::Backend> cuda_backend(std::string* skip_reason) {
  const backend::CudaPluginLoad& plugin = backend::load_cuda_plugin();
  if (!plugin.api) {
    *skip_reason = "CUDA backend unavailable: " + plugin.failure;
    return nullptr;
  }
  auto backend = plugin.api->create_backend(0);
  if (!backend.is_ok()) {
    *skip_reason = "CUDA backend unavailable: " + backend.status().to_string();
    return nullptr;
  }
  return std::move(backend).value();
}

}  // namespace toonbox::test

namespace toonbox {
// Test names and failure messages print a Precision as "fp32"/"fp16" (found by ADL).
inline void PrintTo(Precision p, std::ostream* os) { *os << precision_name(p); }
}  // namespace toonbox
