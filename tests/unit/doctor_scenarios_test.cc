// One simulated machine per diagnosis the doctor must get right, each asserting the
// specific check's status and words (item 6 of the doctor issue).
#include <gtest/gtest.h>

#include <filesystem>

#include "doctor/doctor.h"
#include "doctor_test_support.h"

using namespace toonbox::backend;

namespace toonbox::doctor {
namespace {

using testing::check_of;
using testing::contains;
using testing::Scenario;
namespace fs = std::filesystem;

TEST(DoctorScenario, HealthyMachineIsUsable) {
  Scenario s;
  s.add_healthy_machine();
  s.use_fake_plugin();
  const DoctorReport r = s.run();
  for (const Section& sec : r.sections)
    for (const Check& c : sec.checks)
      EXPECT_TRUE(c.status == CheckStatus::kOk) << c.id << ": " << c.message << " / " << c.fix;
  EXPECT_EQ(r.toonbox.usability, Usability::kUsable);
  EXPECT_EQ(r.toonbox.summary, "GPU: active — NVIDIA H200 (cuda:0), fp32+fp16 ok");
  EXPECT_EQ(r.exit_code, kExitUsable);
  EXPECT_EQ(check_of(r, "system.driver_runtime").message,
            "driver 580.65.06 supports CUDA 13.0 (toonbox runtime 13.0)");
  EXPECT_TRUE(contains(check_of(r, "hardware.gpu.0").message, "cuda:0 NVIDIA H200, sm_90"));
  EXPECT_TRUE(contains(check_of(r, "framework.smoke.0").message, "612.5 TFLOP/s"));
}

TEST(DoctorScenario, NoDriver) {
  Scenario s;
  s.add_gpu_on_pci();  // a GPU, but neither kernel module, nodes nor libraries
  const DoctorReport r = s.run();
  const Check driver = check_of(r, "hardware.cuda_driver");
  EXPECT_EQ(driver.status, CheckStatus::kFail);
  EXPECT_EQ(driver.message, "no NVIDIA driver: libcuda.so.1 not found");
  EXPECT_TRUE(contains(driver.fix, "install the NVIDIA driver"));
  EXPECT_EQ(check_of(r, "hardware.kernel_module").status, CheckStatus::kFail);
  EXPECT_EQ(check_of(r, "hardware.pci").status, CheckStatus::kOk);
  EXPECT_EQ(check_of(r, "system.driver_runtime").status, CheckStatus::kSkip);
  EXPECT_EQ(
      r.toonbox.summary,
      "GPU: not usable — NVIDIA kernel driver not loaded (/proc/driver/nvidia/version is missing)");
  EXPECT_EQ(r.exit_code, kExitNotUsable);
}

TEST(DoctorScenario, NoGpuAtAllSaysSoFirst) {
  Scenario s;
  s.write("/sys/bus/pci/devices/0000:00:01.0/vendor", "0x1af4\n");
  s.write("/.dockerenv", "");
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "hardware.pci").status, CheckStatus::kFail);
  EXPECT_EQ(check_of(r, "hardware.container").status, CheckStatus::kSkip);
  EXPECT_EQ(check_of(r, "hardware.cuda_driver").status, CheckStatus::kSkip);
  EXPECT_EQ(r.toonbox.summary,
            "GPU: not usable — no NVIDIA GPU on the PCI bus (1 PCI devices, none from NVIDIA)");
}

TEST(DoctorScenario, DriverTooOldForRuntime) {
  Scenario s;
  s.add_healthy_machine();
  s.add_kernel_module("535.104.05");
  s.stub("STUB_DRIVER_VERSION", "535.104.05");
  s.stub("STUB_CUDA_DRIVER_VERSION", "12020");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.driver_runtime");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message,
            "driver 535.104.05 supports CUDA 12.2, but toonbox's CUDA 13.0 runtime needs driver >= "
            "580.65.06 "
            "('CUDA driver version is insufficient for CUDA runtime version')");
  EXPECT_TRUE(contains(c.fix, "install NVIDIA driver >= 580.65.06"));
  EXPECT_TRUE(contains(r.toonbox.summary, "driver 535.104.05 supports CUDA 12.2"));
  EXPECT_EQ(r.exit_code, kExitNotUsable);
}

TEST(DoctorScenario, DriverOlderMinorRunsThroughMinorVersionCompatibility) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CUDART_VERSION", "13010");  // runtime 13.1 on a 13.0 driver
  s.use_fake_plugin();
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.driver_runtime");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(c.message, "minor-version compatibility"));
  EXPECT_TRUE(contains(c.fix, "590.44.01"));
  EXPECT_EQ(r.toonbox.usability, Usability::kDegraded);
  EXPECT_EQ(r.exit_code, kExitDegraded);
}

TEST(DoctorScenario, ContainerWithoutGpu) {
  Scenario s;
  s.add_gpu_on_pci();
  s.add_kernel_module("580.65.06");
  s.write("/.dockerenv", "");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.container");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(
      c.message,
      "running in a container (/.dockerenv) without GPU access: no /dev/nvidia* device nodes");
  EXPECT_TRUE(contains(c.fix, "docker run --gpus all"));
  EXPECT_EQ(check_of(r, "hardware.device_nodes").status, CheckStatus::kSkip);
  EXPECT_TRUE(contains(check_of(r, "hardware.cuda_driver").fix, "--gpus all"));
  EXPECT_EQ(r.toonbox.summary, "GPU: not usable — " + c.message);
}

TEST(DoctorScenario, ContainerWithNvidiaVisibleDevicesVoid) {
  Scenario s;
  s.add_gpu_on_pci();
  s.write("/proc/1/cgroup", "0::/kubepods/besteffort/pod1234\n");
  s.env.vars["NVIDIA_VISIBLE_DEVICES"] = "void";
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.container");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "/proc/1/cgroup mentions kubepods"));
  EXPECT_TRUE(contains(c.fix, "NVIDIA_VISIBLE_DEVICES=void hides the GPUs"));
}

TEST(DoctorScenario, CudaVisibleDevicesEmpty) {
  Scenario s;
  s.add_healthy_machine();
  s.env.vars["CUDA_VISIBLE_DEVICES"] = "";
  s.stub("STUB_CUDA_INIT_RESULT", "100");  // what libcuda answers when it sees no device
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.visible_devices");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message, "CUDA_VISIBLE_DEVICES=\"\" hides all of 1 GPU(s) from CUDA");
  EXPECT_TRUE(contains(c.fix, "unset CUDA_VISIBLE_DEVICES"));
  const Check driver = check_of(r, "hardware.cuda_driver");
  EXPECT_EQ(driver.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(driver.message, "CUDA_ERROR_NO_DEVICE"));
  EXPECT_EQ(r.toonbox.summary, "GPU: not usable — " + c.message);
}

TEST(DoctorScenario, CudaVisibleDevicesStopsAtInvalidEntry) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_DEVICE_COUNT", "2");
  s.env.vars["CUDA_VISIBLE_DEVICES"] = "1,7,0";
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.visible_devices");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(
      c.message,
      "'7' matches no GPU, so CUDA ignores it and every entry after it (1 GPU(s) visible)"));
}

TEST(DoctorScenario, CudnnMissing) {
  Scenario s;
  s.add_healthy_machine();
  fs::remove(s.dir() + "/lib/libcudnn.so.9");
  s.use_fake_plugin();
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.lib.cudnn");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message, "libcudnn.so.9 (cuDNN) not found: the CUDA backend cannot run without it");
  EXPECT_TRUE(contains(c.fix, "libcudnn9-cuda-13"));
  EXPECT_EQ(check_of(r, "system.cudnn_version").status, CheckStatus::kSkip);
  EXPECT_EQ(r.exit_code, kExitNotUsable);
}

TEST(DoctorScenario, CudnnRuntimeOlderThanCompiled) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CUDNN_VERSION", "90100");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.cudnn_version");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message, "cuDNN runtime 9.1.0 is older than the 9.19.0 toonbox was compiled with");
  EXPECT_TRUE(contains(c.fix, "install cuDNN >= 9.19.0"));
}

TEST(DoctorScenario, CudnnRuntimeOfAnotherMajor) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CUDNN_VERSION", "8907");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.cudnn_version");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(
      c.message,
      "cuDNN runtime 8.9.7 but toonbox was compiled with cuDNN 9.19.0 (different major version)"));
}

TEST(DoctorScenario, CudnnNewerMinorIsFine) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CUDNN_VERSION", "92000");
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "system.cudnn_version").status, CheckStatus::kOk);
}

TEST(DoctorScenario, NvrtcMissingIsDegraded) {
  Scenario s;
  s.add_healthy_machine();
  fs::remove(s.dir() + "/lib/libnvrtc.so.13");
  s.use_fake_plugin();
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.lib.nvrtc");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(c.message,
                       "libnvrtc.so.13 (NVRTC) not found: cuDNN's runtime-compiled (fusion) "
                       "engines are unavailable"));
  EXPECT_TRUE(contains(c.fix, "cuda-nvrtc-13-0"));
  EXPECT_EQ(r.toonbox.usability, Usability::kDegraded);
  EXPECT_EQ(r.exit_code, kExitDegraded);
}

TEST(DoctorScenario, ArchitectureNotCompiled) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CC", "7.5");
  s.stub("STUB_DEVICE_NAME", "Tesla T4");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.kernel_image.0");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message,
            "cuda:0 sm_75: this build has sm_80 sm_86 sm_89 sm_90 + PTX compute_90; nothing runs "
            "on sm_75 -> CUDA would "
            "fail with 'no kernel image is available for execution on the device'");
  EXPECT_TRUE(contains(c.fix, "75-real"));
}

TEST(DoctorScenario, NewerArchitectureRunsThroughPtx) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CC", "12.0");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.kernel_image.0");
  EXPECT_EQ(c.status, CheckStatus::kOk);
  EXPECT_TRUE(
      contains(c.message, "sm_120: no machine code, the driver JIT-compiles PTX compute_90"));
}

TEST(DoctorScenario, PtxCannotBeJittedByAnOlderDriver) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CC", "12.0");
  s.stub("STUB_CUDART_VERSION", "13010");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.kernel_image.0");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "unsupported toolchain"));
}

TEST(DoctorScenario, CudaToolkitStubLibraryOnThePath) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_CUDA_INIT_RESULT", "34");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.cuda_driver");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "is the CUDA toolkit's link-time stub, not the driver"));
  EXPECT_TRUE(contains(c.fix, "stubs folder"));
}

TEST(DoctorScenario, KernelModuleAndUserSpaceDriverDisagree) {
  Scenario s;
  s.add_healthy_machine();
  s.add_kernel_module("570.124.06");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.driver_consistency");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message,
            "driver components disagree (kernel module 570.124.06, NVML 580.65.06): "
            "'Driver/library version mismatch'");
  EXPECT_TRUE(contains(c.fix, "reboot"));
}

TEST(DoctorScenario, NvidiaUvmNodeMissing) {
  Scenario s;
  s.add_healthy_machine();
  fs::remove(s.dir() + "/root/dev/nvidia-uvm");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.device_nodes");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "/dev/nvidia-uvm is missing"));
  EXPECT_TRUE(contains(c.fix, "modprobe nvidia-uvm"));
}

TEST(DoctorScenario, NvmlMissingButCudaWorks) {
  Scenario s;
  s.add_healthy_machine();
  fs::remove(s.dir() + "/lib/libnvidia-ml.so.1");
  s.use_fake_plugin();
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "hardware.nvml").status, CheckStatus::kWarn);
  EXPECT_EQ(check_of(r, "hardware.cuda_driver").status, CheckStatus::kOk);
  EXPECT_TRUE(
      contains(check_of(r, "hardware.gpu.0").message, "80.0 GiB"));  // from cuDeviceTotalMem
  EXPECT_EQ(r.exit_code, kExitDegraded);
}

TEST(DoctorScenario, MigModeIsReported) {
  Scenario s;
  s.add_healthy_machine();
  s.stub("STUB_MIG", "1");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "hardware.gpu.0");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(c.message, "MIG on, ECC on"));
  EXPECT_TRUE(contains(c.fix, "MIG-<uuid>"));
}

TEST(DoctorScenario, OtherCopyOfCudnnWithAnotherVersion) {
  Scenario s;
  s.add_healthy_machine();
  const std::string other = s.dir() + "/cuda-12.1/lib64";
  fs::create_directories(other);
  fs::copy_file(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/libcudnn.so.9",
                other + "/libcudnn.so.9.1.0");
  fs::create_symlink("libcudnn.so.9.1.0", other + "/libcudnn.so.9");
  s.env.vars["LD_LIBRARY_PATH"] = other;
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.lib.cudnn");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(c.message, "other copies of libcudnn.so.9 with different versions exist"));
  ASSERT_EQ(c.details.size(), 1u);
  EXPECT_TRUE(contains(c.details[0], "libcudnn.so.9.1.0 (9.1.0, via LD_LIBRARY_PATH)"));
}

TEST(DoctorScenario, PluginMissingSkipsTheSmokeTestWithTheReason) {
  Scenario s;
  s.add_healthy_machine();
  s.env.plugin = CudaPluginLoad{
      nullptr, "", "cannot load the CUDA backend: libcudnn.so.9: cannot open shared object file"};
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "framework.plugin").status, CheckStatus::kFail);
  const Check smoke = check_of(r, "framework.smoke");
  EXPECT_EQ(smoke.status, CheckStatus::kSkip);
  EXPECT_TRUE(contains(smoke.message, "libcudnn.so.9: cannot open shared object file"));
  EXPECT_EQ(r.toonbox.usability, Usability::kNotUsable);
}

TEST(DoctorScenario, FailingSmokeTestMakesTheGpuUnusable) {
  Scenario s;
  s.add_healthy_machine();
  s.use_fake_plugin(&testing::kFailingSmokePlugin);
  const DoctorReport r = s.run();
  const Check c = check_of(r, "framework.smoke.0");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "CUDNN_STATUS_EXECUTION_FAILED"));
  EXPECT_EQ(r.exit_code, kExitNotUsable);
}

TEST(DoctorScenario, BuildWithoutCudaBackend) {
  Scenario s;
  s.add_healthy_machine();
  s.env.build = BuildInfo{};
  s.env.plugin = CudaPluginLoad{nullptr, "",
                                "CUDA backend not built (toonbox was compiled without nvcc/cuDNN)"};
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "system.build").status, CheckStatus::kFail);
  EXPECT_EQ(check_of(r, "framework.plugin").status, CheckStatus::kSkip);
  EXPECT_EQ(check_of(r, "hardware.kernel_image.0").status, CheckStatus::kSkip);
  EXPECT_TRUE(contains(r.toonbox.summary, "built without the CUDA backend"));
}

TEST(DoctorScenario, CudaRuntimeLinkedStaticallyIntoThePlugin) {
  // CMake links the CUDA runtime statically by default: with the plugin loaded and no
  // shared libcudart mapped, that is not a missing library. (Runtime "99.0" so no real
  // or stub libcudart can be mapped in this process.)
  Scenario s;
  s.add_healthy_machine();
  s.use_fake_plugin();
  s.env.build.cuda_runtime_version = 99000;
  s.env.libraries = {{}, false};
  const DoctorReport r = s.run();
  const Check c = check_of(r, "system.lib.cudart");
  EXPECT_EQ(c.status, CheckStatus::kOk);
  EXPECT_EQ(
      c.message,
      "CUDA runtime 13.0: linked statically into the CUDA backend (no libcudart.so.99 needed)");
  EXPECT_EQ(check_of(r, "system.lib.cublas").status,
            CheckStatus::kFail);  // libcublas.so.99 exists nowhere
}

}  // namespace
}  // namespace toonbox::doctor
