// The Dft op's fast paths against the reference's direct sums over many lengths: every
// length 1..40 (radix 2 and Bluestein, odd and even, primes), the sizes LaMa's spectral
// branch sees at 512 px and around it, and long ones where float twiddles would drift.
// CPU always; CUDA (cuFFT) where a GPU is usable.
#include <gtest/gtest.h>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "engine/session.h"
#include "ops/reference.h"
#include "unit/test_util.h"

using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

Graph dft_graph(DftParams p) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {-1, -1, -1});
  g.add_output(g.add_node(OpKind::kDft, "dft", {x}, p));
  return g;
}

struct Form {
  const char* name;
  DftParams params;
  int components;  // of the input
};

const Form kForms[] = {
    {"rfft", DftParams{1, false, true, 0, 1.f}, 1},
    {"complex inverse", DftParams{1, true, false, 0, 1.f}, 2},
    {"irfft", DftParams{1, true, true, 0, 1.f}, 2},
};

std::vector<int64_t> lengths() {
  std::vector<int64_t> n;
  for (int64_t i = 1; i <= 40; ++i) n.push_back(i);
  for (int64_t i : {63, 64, 65, 96, 127, 128, 257, 512, 1000}) n.push_back(i);
  return n;
}

void check_backend(const std::shared_ptr<Backend>& backend, Precision precision, double tol) {
  for (const Form& f : kForms)
    for (int64_t n : lengths()) {
      DftParams p = f.params;
      // irfft reads n/2+1 bins and returns n samples.
      const int64_t in_len = p.inverse && p.onesided ? n / 2 + 1 : n;
      if (p.inverse && p.onesided) p.length = n;
      const Graph g = dft_graph(p);
      const Tensor x = test::random_tensor({3, in_len, f.components}, static_cast<uint32_t>(n));
      auto spec = specialize(g, {x.shape()});
      ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
      auto want = reference_run(*spec, {x});
      ASSERT_TRUE(want.is_ok()) << want.status().to_string();
      Session s(g, backend, precision);
      auto got = s.run({x});
      ASSERT_TRUE(got.is_ok()) << f.name << " n " << n << ": " << got.status().to_string();
      const auto e = test::compare((*got)[0], (*want)[0]);
      EXPECT_LE(e.nmse, tol) << f.name << " n " << n << " " << e.to_string();
    }
}

TEST(DftLengths, CpuMatchesReference) {
  check_backend(std::shared_ptr<Backend>(cpu::create_cpu_backend()), Precision::kFloat32, 1e-12);
}

TEST(DftLengths, CudaMatchesReference) {
  std::string skip;
  std::shared_ptr<Backend> cuda = test::cuda_backend(&skip);
  if (!cuda) GTEST_SKIP() << skip;
  check_backend(cuda, Precision::kFloat32, 1e-10);  // cuFFT in float
}

}  // namespace
}  // namespace toonbox
