// Shared helpers of the CUDA backend tests (tests/unit/cuda_*.cc).
//
// Every test first loads the plugin and probes; without a usable GPU it skips with the
// loader's or the probe's reason. On a GPU each op runs on the CUDA backend and on the
// naive reference (reference_run, double accumulation) over the same specialized graph.
//
// Tolerances, as ggml's test-backend-ops states them, with NMSE = sum((got - want)^2) /
// sum(want^2):
//   fp32: NMSE <= 1e-9 and max |got - want| <= 1e-4 * max(1, max |want|)
//   fp16: NMSE <= 1e-5 and max |got - want| <= 1e-2 * (max want - min want)
// In fp16 tests every input and weight is drawn already representable in half and the
// reference rounds each op's output through half (emulate_fp16_storage), so what is
// measured is the GPU's arithmetic, not the rounding of the test data.
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backend/cuda_plugin_loader.h"
#include "compile/specialize.h"
#include "ops/reference.h"

namespace toonbox::cuda_test {

struct CudaTestEnv {
  const cuda::PluginApi* api = nullptr;
  cuda::CudaRuntimeInfo info;
  std::unique_ptr<backend::Backend> backend;  // cuda:0
  std::string skip_reason;           // set when there is no usable GPU
};

inline CudaTestEnv& cuda_env() {
  static CudaTestEnv env = [] {
    CudaTestEnv e;
    // The cuDNN algorithm cache persists on disk (conv_algo_disk_cache.h): give each test
    // process an empty folder of its own, so that a search a test expects happens. A child
    // of CudaConvAlgoDiskCache keeps its parent's folder.
    if (std::getenv("TOONBOX_TEST_ALGO_CHILD") == nullptr) {
      char dir[] = "/tmp/toonbox-test-algos-XXXXXX";
      if (::mkdtemp(dir) != nullptr) ::setenv("TOONBOX_CUDA_ALGO_CACHE", dir, 1);
    }
    const backend::CudaPluginLoad& load = backend::load_cuda_plugin();
    if (load.api == nullptr) {
      e.skip_reason = "CUDA backend unavailable: " + load.failure;
      return e;
    }
    e.api = load.api;
    if (Status st = e.api->probe(&e.info); !st.is_ok()) {
      e.skip_reason = "no usable GPU: " + st.to_string();
      return e;
    }
    auto backend = e.api->create_backend(0);
    if (!backend.is_ok()) {
      e.skip_reason = "cuda:0 unusable: " + backend.status().to_string();
      return e;
    }
    e.backend = std::move(backend).value();
    return e;
  }();
  return env;
}

inline cuda::CudaPluginStats cuda_stats() {
  cuda::CudaPluginStats s;
  cuda_env().api->stats(&s);
  return s;
}

#define TB_REQUIRE_CUDA()                                                   \
  do {                                                                      \
    if (!::toonbox::cuda_test::cuda_env().skip_reason.empty())              \
      GTEST_SKIP() << ::toonbox::cuda_test::cuda_env().skip_reason;         \
  } while (0)

// Sets an environment variable for one scope (unset again even when an assertion returns).
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

inline bool is_fp16(Precision p) { return p == Precision::kFloat16; }

// Uniform values in [lo, hi], rounded to half precision when `half_exact`.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float lo, float hi, bool half_exact) {
  Tensor t(DType::kFloat32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = dist(rng);
    t.data<float>()[i] = half_exact ? round_to_half(v) : v;
  }
  return t;
}

struct ErrorStats {
  double max_abs = 0;  // max |got - want|
  double nmse = 0;
  double want_max_abs = 0;
  double want_range = 0;  // max want - min want
  int64_t worst = -1;
  bool finite = true;
};

inline ErrorStats compare(const Tensor& got, const Tensor& want) {
  ErrorStats s;
  double err_sq = 0, want_sq = 0, lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double g = got.data<float>()[i], w = want.data<float>()[i];
    if (!std::isfinite(g) && std::isfinite(w)) s.finite = false;
    const double e = std::abs(g - w);
    if (!(e <= s.max_abs)) {
      s.max_abs = e;
      s.worst = i;
    }
    err_sq += (g - w) * (g - w);
    want_sq += w * w;
    s.want_max_abs = std::max(s.want_max_abs, std::abs(w));
    lo = std::min(lo, w);
    hi = std::max(hi, w);
  }
  s.nmse = want_sq > 0 ? err_sq / want_sq : err_sq;
  s.want_range = want.numel() > 0 ? hi - lo : 0;
  return s;
}

struct Tolerance {
  double nmse;
  double max_abs;
};

// fp16 and tf32 alike: both round what the products see to 10 mantissa bits (fp16 also
// stores in half); fp32 is strict.
inline Tolerance tolerance(Precision p, const ErrorStats& s) {
  if (p != Precision::kFloat32) return {1e-5, 1e-2 * std::max(s.want_range, 1e-3)};
  return {1e-9, 1e-4 * std::max(1.0, s.want_max_abs)};
}

inline void expect_close(const Tensor& got, const Tensor& want, Precision p, const std::string& what) {
  ASSERT_EQ(got.dtype(), DType::kFloat32) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what << ": got " << shape_to_string(got.shape()) << ", want "
                                       << shape_to_string(want.shape());
  const ErrorStats s = compare(got, want);
  const Tolerance tol = tolerance(p, s);
  const std::string at = s.worst < 0 ? std::string("-")
                                     : "element " + std::to_string(s.worst) + ": got " +
                                           std::to_string(got.data<float>()[s.worst]) + ", want " +
                                           std::to_string(want.data<float>()[s.worst]);
  EXPECT_TRUE(s.finite) << what << ": non-finite output where the reference is finite";
  EXPECT_LE(s.nmse, tol.nmse) << what << " (" << precision_name(p) << "): NMSE too large; worst " << at;
  EXPECT_LE(s.max_abs, tol.max_abs) << what << " (" << precision_name(p) << "): max abs error too large; worst "
                                    << at << ", NMSE " << s.nmse;
}

inline std::vector<Shape> input_shapes(const graph::Graph& g) {
  std::vector<Shape> shapes;
  for (int in : g.inputs()) shapes.push_back(g.value(in).shape);
  return shapes;
}

// Specializes `g` for its declared input shapes, runs it on the CUDA backend and the
// reference, and compares every output. `outputs` (optional) receives the GPU results.
inline void check_against_reference(const graph::Graph& g, const std::vector<Tensor>& inputs,
                                    Precision p, const std::string& what,
                                    std::vector<Tensor>* outputs = nullptr) {
  auto spec = compile::specialize(g, input_shapes(g));
  ASSERT_TRUE(spec.is_ok()) << what << ": " << spec.status().to_string();
  auto exe = cuda_env().backend->compile(spec.value(), backend::CompileOptions{p});
  ASSERT_TRUE(exe.is_ok()) << what << ": " << exe.status().to_string() << "\n" << spec.value().to_string();
  std::vector<Tensor> got;
  backend::RunTimings timings;
  const Status st = exe.value()->run(inputs, &got, &timings);
  ASSERT_TRUE(st.is_ok()) << what << ": " << st.to_string();
  ops::ReferenceOptions options;
  options.emulate_fp16_storage = is_fp16(p);
  auto want = ops::reference_run(spec.value(), inputs, options);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  ASSERT_EQ(got.size(), want.value().size());
  for (size_t i = 0; i < got.size(); ++i)
    expect_close(got[i], want.value()[i], p, what + " output " + std::to_string(i));
  if (outputs) *outputs = std::move(got);
}

// Runs the test `name` ("Suite.Test") in a child of this test process with
// TOONBOX_TEST_ALGO_CHILD=1 and this process's algorithm-cache folder (the on-disk cache
// tests: what the parent searched or timed, the child must find in the file). Expects it
// to pass, showing its output otherwise.
inline void expect_child_test_passes(const std::string& name) {
  const char* dir = std::getenv("TOONBOX_CUDA_ALGO_CACHE");
  ASSERT_NE(dir, nullptr);
  const std::string log_path = std::string(dir) + "/" + name + ".log";
  const std::string cmd = "TOONBOX_TEST_ALGO_CHILD=1 /proc/" + std::to_string(::getpid()) +
                          "/exe --gtest_filter=" + name + " >" + log_path + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream log(log_path);
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << "the child process failed:\n" << text;
  EXPECT_NE(text.find("[       OK ] " + name), std::string::npos) << text;
}

inline std::string precision_tag(Precision p) { return precision_name(p); }
inline std::string layout_tag(graph::Layout l) {
  return l == graph::Layout::kNHWC ? "nhwc" : "nchw";
}

// [N,H,W,C] -> the shape in `layout`.
inline Shape in_layout(const Shape& nhwc, graph::Layout layout) {
  return layout == graph::Layout::kNHWC ? nhwc : Shape{nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

}  // namespace toonbox::cuda_test
