// The CUDA plugin's entry points: probe, backend creation, capability query, smoke test.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cuda_test_util.h"

using namespace toonbox::backend;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

// The plugin opened directly, bypassing the loader's driver check, so the probe's own
// error path runs on machines without a GPU too. Null when the plugin is not built.
const cuda::PluginApi* plugin_without_loader() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("TOONBOX_CUDA_PLUGIN"); env && *env) paths.push_back(env);
  std::error_code ec;
  const auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  paths.push_back((dir / "libtoonbox_cuda.so").string());
  paths.push_back((dir / "../src/backend/cuda/libtoonbox_cuda.so").string());
  for (const std::string& path : paths) {
    if (!std::filesystem::exists(path)) continue;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) continue;
    auto fn = reinterpret_cast<const cuda::PluginApi* (*)()>(dlsym(handle, "toonbox_cuda_plugin_api"));
    if (fn) return fn();
  }
  return nullptr;
}

TEST(CudaProbe, ReportsDevicesOrNamesTheMissingLayer) {
  const cuda::PluginApi* api = plugin_without_loader();
  if (!api) GTEST_SKIP() << "libtoonbox_cuda.so not built";
  ASSERT_EQ(api->abi_version, cuda::kPluginAbiVersion);
  cuda::CudaRuntimeInfo info;
  const Status st = api->probe(&info);
  // Filled whether or not a GPU is there: these come from the libraries themselves.
  EXPECT_GT(info.runtime_version, 0);
  EXPECT_EQ(info.cudnn_version / 10000, info.cudnn_compiled / 10000);
  EXPECT_FALSE(info.compiled_archs.empty());
  if (st.is_ok()) {
    EXPECT_FALSE(info.devices.empty());
    EXPECT_GT(info.driver_version, 0);
  } else {
    EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.to_string();
    const std::string& m = st.message();
    EXPECT_TRUE(m.find("driver") != std::string::npos || m.find("device") != std::string::npos) << m;
    auto backend = api->create_backend(0);
    ASSERT_FALSE(backend.is_ok());
    EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  }
}

TEST(CudaProbe, DescribesTheGpu) {
  TB_REQUIRE_CUDA();
  const cuda::CudaRuntimeInfo& info = cuda_env().info;
  EXPECT_GE(info.driver_version, 12000);
  EXPECT_GT(info.cublas_version, 0);
  EXPECT_TRUE(info.compiled_archs.find("sm_") != std::string::npos ||
              info.compiled_archs.find("compute_") != std::string::npos)
      << info.compiled_archs;
  ASSERT_FALSE(info.devices.empty());
  const cuda::CudaDeviceInfo& d = info.devices[0];
  EXPECT_FALSE(d.name.empty());
  EXPECT_EQ(d.uuid.rfind("GPU-", 0), 0u) << d.uuid;
  EXPECT_EQ(d.uuid.size(), 40u) << d.uuid;
  EXPECT_GE(d.cc_major, 7);
  EXPECT_GT(d.multiprocessors, 0);
  EXPECT_GT(d.memory_free, 0u);
  EXPECT_GE(d.memory_total, d.memory_free);
  EXPECT_TRUE(d.kernel_image_available);
  std::printf("[ info     ] %s %s sm_%d%d, %d SMs, %.1f/%.1f GiB free; driver %d runtime %d cuDNN %zu cuBLAS %d; "
              "built for %s\n",
              d.name.c_str(), d.uuid.c_str(), d.cc_major, d.cc_minor, d.multiprocessors,
              d.memory_free / 1073741824.0, d.memory_total / 1073741824.0, info.driver_version,
              info.runtime_version, info.cudnn_version, info.cublas_version, info.compiled_archs.c_str());

  const DeviceDescription& desc = cuda_env().backend->device();
  EXPECT_EQ(desc.id, "cuda:0");
  EXPECT_EQ(desc.label.rfind(d.name + " (sm_" + std::to_string(d.cc_major) + std::to_string(d.cc_minor) + ", ", 0),
            0u)
      << desc.label;
  EXPECT_NE(desc.label.find(" GiB)"), std::string::npos) << desc.label;
  EXPECT_EQ(desc.memory_total, d.memory_total);
}

TEST(CudaBackend, RejectsADeviceIndexThatDoesNotExist) {
  TB_REQUIRE_CUDA();
  const int count = static_cast<int>(cuda_env().info.devices.size());
  auto backend = cuda_env().api->create_backend(count);
  ASSERT_FALSE(backend.is_ok());
  EXPECT_EQ(backend.status().code(), StatusCode::kNotFound) << backend.status().to_string();
  EXPECT_NE(backend.status().message().find("cuda:" + std::to_string(count)), std::string::npos);
}

TEST(CudaBackend, SaysWhichNodesItCannotRun) {
  TB_REQUIRE_CUDA();
  Backend& backend = *cuda_env().backend;
  EXPECT_TRUE(backend.supports(Precision::kFloat32));
  EXPECT_TRUE(backend.supports(Precision::kFloat16));
  // An unspecialized graph: a Shape op, and a Unary over an int32 input.
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 4, 4, 3});
  const int ints = g.add_input("ints", DType::kInt32, {4});
  g.add_output(g.add_node(OpKind::kShape, "shape_of_x", {x}, NoParams{}));
  g.add_output(g.add_node(OpKind::kUnary, "neg_ints", {ints}, UnaryParams{UnaryOp::kNeg}));
  g.add_output(g.add_node(OpKind::kUnary, "neg_x", {x}, UnaryParams{UnaryOp::kNeg}));
  EXPECT_NE(backend.unsupported_reason(g, g.nodes()[0], Precision::kFloat32).find("shape op"), std::string::npos);
  EXPECT_NE(backend.unsupported_reason(g, g.nodes()[1], Precision::kFloat32).find("int32"), std::string::npos);
  EXPECT_EQ(backend.unsupported_reason(g, g.nodes()[2], Precision::kFloat16), "");
  const std::vector<std::string> problems = unsupported_nodes(backend, g, Precision::kFloat32);
  EXPECT_EQ(problems.size(), 2u);
  auto exe = backend.compile(g, CompileOptions{});
  ASSERT_FALSE(exe.is_ok());
  EXPECT_EQ(exe.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(exe.status().message().find("shape_of_x"), std::string::npos) << exe.status().message();
  EXPECT_NE(exe.status().message().find("neg_ints"), std::string::npos) << exe.status().message();
}

TEST(CudaSmokeTest, PassesOnDevice0) {
  TB_REQUIRE_CUDA();
  cuda::CudaSmokeResult r;
  const Status st = cuda_env().api->smoke_test(0, &r);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_TRUE(r.ok) << r.detail;
  std::printf("[ smoke    ] conv max abs err fp32 %.3g fp16 %.3g; fp16 GEMM 4096^3 %.1f TFLOP/s, rel err %.3g; "
              "D2D copy %.0f GB/s\n",
              r.conv_fp32_max_abs_err, r.conv_fp16_max_abs_err, r.gemm_tflops, r.gemm_max_rel_err, r.copy_gbps);
  RecordProperty("gemm_tflops", std::to_string(r.gemm_tflops));
  RecordProperty("copy_gbps", std::to_string(r.copy_gbps));
  EXPECT_LE(r.conv_fp32_max_abs_err, 1e-4);
  EXPECT_LE(r.conv_fp16_max_abs_err, 2e-2);
  EXPECT_LE(r.gemm_max_rel_err, 5e-3);
  EXPECT_GT(r.gemm_tflops, 1.0);
  EXPECT_GT(r.copy_gbps, 10.0);
}

}  // namespace
}  // namespace toonbox::cuda_test
