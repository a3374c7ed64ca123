// Timing of a LaMa-architecture ONNX file on a toonbox device, for tools/bench_lama.py
// (which exports the network, times PyTorch on the same weights and prints both side by
// side). Runs only when TOONBOX_LAMA_BENCH_MODEL names the file; the other settings:
//   TOONBOX_LAMA_BENCH_DEVICE     cpu | cuda (default cpu)
//   TOONBOX_LAMA_BENCH_PRECISION  fp32 | fp16 (default fp32; fp16 = mixed: the Dft ops
//                                 compute in fp32)
//   TOONBOX_LAMA_BENCH_SIZE       H = W of the 4-channel input (default 512)
//   TOONBOX_LAMA_BENCH_RUNS       timed runs after one warm-up (default 5)
// Prints one line: [ lama-bench ] {"device":...,"compute_ms":[...],"median_ms":...}.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/device_select.h"
#include "engine/session.h"
#include "import/onnx/onnx_importer.h"
#include "unit/test_util.h"

using namespace toonbox::engine;

namespace toonbox {
namespace {

std::string env(const char* name, const char* def) {
  const char* v = std::getenv(name);
  return v && *v ? v : def;
}

TEST(LamaBench, TimeOnnxModel) {
  const std::string model = env("TOONBOX_LAMA_BENCH_MODEL", "");
  if (model.empty()) GTEST_SKIP() << "set TOONBOX_LAMA_BENCH_MODEL (tools/bench_lama.py does)";
  const std::string device = env("TOONBOX_LAMA_BENCH_DEVICE", "cpu");
  const std::string precision = env("TOONBOX_LAMA_BENCH_PRECISION", "fp32");
  const int64_t size = std::stoll(env("TOONBOX_LAMA_BENCH_SIZE", "512"));
  const int runs = std::stoi(env("TOONBOX_LAMA_BENCH_RUNS", "5"));
  auto dev = select_device(device, precision);
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  auto graph = onnx_import::import_onnx_model(model);
  ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
  Session session(std::move(graph).value(), dev->backend, dev->precision);
  const Tensor x = test::random_tensor({1, 4, size, size}, 5, 0.f, 1.f);
  RunReport first;
  auto warm = session.run({x}, &first);
  ASSERT_TRUE(warm.is_ok()) << warm.status().to_string();
  std::vector<double> compute;
  for (int i = 0; i < runs; ++i) {
    RunReport r;
    ASSERT_TRUE(session.run({x}, &r).is_ok());
    compute.push_back(r.timings.compute_ms);
  }
  std::vector<double> sorted = compute;
  std::sort(sorted.begin(), sorted.end());
  std::string list;
  for (double c : compute) list += (list.empty() ? "" : ",") + std::to_string(c);
  std::printf(
      "[ lama-bench ] {\"device\":\"%s\",\"precision\":\"%s\",\"size\":%lld,"
      "\"compile_ms\":%.1f,\"first_compute_ms\":%.2f,\"compute_ms\":[%s],"
      "\"median_ms\":%.3f,\"arena_bytes\":%zu}\n",
      dev->summary().c_str(), precision.c_str(), static_cast<long long>(size), first.compile_ms,
      first.timings.compute_ms, list.c_str(), sorted[sorted.size() / 2], first.arena_bytes);
}

}  // namespace
}  // namespace toonbox
