// `toonbox doctor --python`: a fake python prints a chosen torch configuration, the
// doctor must name the right problem and the exact fix for the simulated driver.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "doctor/doctor.h"
#include "doctor/pytorch_checks.h"
#include "doctor/subprocess.h"
#include "doctor/torch_probe.h"
#include "doctor_test_support.h"

namespace toonbox::doctor {
namespace {

namespace fs = std::filesystem;
using testing::check_of;
using testing::contains;
using testing::Scenario;

// Writes an executable that ignores its arguments and prints the probe's result line
// (shell builtins only: the doctor runs it with the test's near-empty environment).
std::string fake_python(const Scenario& s, const std::string& json) {
  const std::string path = s.dir() + "/bin/python3";
  fs::create_directories(s.dir() + "/bin");
  std::ofstream(s.dir() + "/bin/result.json") << "TOONBOX_TORCH_JSON " << json << "\n";
  std::ofstream(path) << "#!/bin/sh\n"
                      << "echo 'some site-packages banner'\n"
                      << "read -r line < '" << s.dir() << "/bin/result.json'\n"
                      << "printf '%s\\n' \"$line\"\n";
  chmod(path.c_str(), 0755);
  return path;
}

std::string torch_json(const std::string& version, const std::string& cuda, bool available,
                       const std::string& extra = "") {
  return "{\"python\": \"3.11.2\", \"torch_version\": \"" + version +
         "\", \"cuda\": " + (cuda.empty() ? "null" : "\"" + cuda + "\"") +
         ", \"cudnn\": " + (cuda.empty() ? "null" : "91002") +
         ", \"is_available\": " + (available ? "true" : "false") +
         ", \"device_count\": " + (available ? "1" : "0") + ", \"devices\": " +
         (available ? "[{\"name\": \"NVIDIA H200\", \"capability\": [9, 0]}]" : "[]") +
         ", \"arch_list\": [\"sm_80\", \"sm_90\"], \"lib_dir\": \"/nonexistent/torch/lib\"" +
         extra + "}";
}

TEST(DoctorPyTorch, CpuOnlyWheel) {
  Scenario s;
  s.add_healthy_machine();  // driver 580.65.06, CUDA 13.0
  s.env.python = fake_python(s, torch_json("2.5.1+cpu", "", false));
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.build");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message,
            "torch 2.5.1+cpu is a CPU-only build (+cpu): torch.version.cuda is None, so "
            "torch.cuda.is_available() is always False");
  EXPECT_TRUE(contains(
      c.fix, s.env.python + " -m pip uninstall -y torch && " + s.env.python +
                 " -m pip install torch --index-url https://download.pytorch.org/whl/cu130"))
      << c.fix;
  ASSERT_TRUE(r.pytorch.has_value());
  EXPECT_EQ(r.pytorch->summary, "PyTorch: GPU not usable — " + c.message);
  EXPECT_EQ(r.exit_code, kExitNotUsable);
}

TEST(DoctorPyTorch, TorchCudaNewerThanTheDriver) {
  Scenario s;
  s.add_healthy_machine();
  s.add_kernel_module("470.82.01");
  s.stub("STUB_DRIVER_VERSION", "470.82.01");
  s.stub("STUB_CUDA_DRIVER_VERSION", "11040");
  s.env.python =
      fake_python(s, torch_json("2.7.0+cu128", "12.8", false,
                                ", \"warnings\": [\"CUDA initialization: The NVIDIA driver on your "
                                "system is too old (found version 11040).\"]"));
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.driver");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.message,
            "torch 2.7.0+cu128 needs CUDA 12.8, newer than driver 470.82.01 (CUDA 11.4) supports: "
            "it needs driver >= "
            "525.60.13 ('The NVIDIA driver on your system is too old')");
  EXPECT_TRUE(
      contains(c.fix, "pip install torch --index-url https://download.pytorch.org/whl/cu118"));
  EXPECT_TRUE(contains(c.fix, "through minor-version compatibility"));
  EXPECT_TRUE(contains(c.fix, "or upgrade the driver to >= 570.26"));
  const Check available = check_of(r, "pytorch.available");
  EXPECT_EQ(available.status, CheckStatus::kFail);
  ASSERT_FALSE(available.details.empty());
  EXPECT_TRUE(contains(available.details[0], "too old (found version 11040)"));
  EXPECT_EQ(r.pytorch->summary, "PyTorch: GPU not usable — " + c.message);
}

TEST(DoctorPyTorch, TorchCudaNewerMinorRunsThroughCompatibility) {
  Scenario s;
  s.add_healthy_machine();
  s.add_kernel_module("535.104.05");
  s.stub("STUB_DRIVER_VERSION", "535.104.05");
  s.stub("STUB_CUDA_DRIVER_VERSION", "12020");
  s.env.python = fake_python(s, torch_json("2.6.0+cu126", "12.6", true));
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.driver");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(contains(c.fix, "whl/cu121"));
  EXPECT_TRUE(contains(c.fix, "560.28.03"));
  EXPECT_EQ(r.pytorch->usability, Usability::kDegraded);
}

TEST(DoctorPyTorch, WorkingTorch) {
  Scenario s;
  s.add_healthy_machine();
  s.use_fake_plugin();
  s.env.python = fake_python(s, torch_json("2.11.0+cu130", "13.0", true));
  const DoctorReport r = s.run();
  EXPECT_EQ(check_of(r, "pytorch.available").message,
            "torch.cuda.is_available() is True: cuda:0 NVIDIA H200 (sm_90)");
  EXPECT_EQ(check_of(r, "pytorch.kernel_image.0").status, CheckStatus::kOk);
  EXPECT_EQ(r.pytorch->summary, "PyTorch: GPU usable — torch 2.11.0+cu130 on NVIDIA H200 (cuda:0)");
  EXPECT_EQ(r.exit_code, kExitUsable);
}

TEST(DoctorPyTorch, WheelWithoutKernelsForTheGpu) {
  Scenario s;
  s.add_healthy_machine();
  s.env.python = fake_python(s,
                             "{\"python\": \"3.12.3\", \"torch_version\": \"2.4.1+cu124\", "
                             "\"cuda\": \"12.4\", \"cudnn\": 90100, "
                             "\"is_available\": true, \"device_count\": 1, \"devices\": "
                             "[{\"name\": \"NVIDIA GeForce RTX 5090\", "
                             "\"capability\": [12, 0]}], \"arch_list\": [\"sm_50\", \"sm_80\", "
                             "\"sm_86\", \"sm_90\"], \"lib_dir\": \"\"}");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.kernel_image.0");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(
      contains(c.message, "torch has no kernels for cuda:0 NVIDIA GeForce RTX 5090 (sm_120)"));
  EXPECT_TRUE(contains(c.fix, "cu128"));
}

TEST(DoctorPyTorch, TorchNotInstalled) {
  Scenario s;
  s.add_healthy_machine();
  s.env.python = fake_python(s,
                             "{\"python\": \"3.11.2\", \"import_error\": \"ModuleNotFoundError: No "
                             "module named 'torch'\"}");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.python");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "No module named 'torch'"));
  EXPECT_TRUE(contains(c.fix, "whl/cu130"));
}

TEST(DoctorPyTorch, PythonThatCannotRun) {
  Scenario s;
  s.add_healthy_machine();
  s.env.python = s.dir() + "/no/such/python";
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.python");
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(contains(c.message, "cannot inspect PyTorch: cannot run " + s.env.python));
}

TEST(DoctorPyTorch, MixedCudaLibrariesThroughLdLibraryPath) {
  Scenario s;
  s.add_healthy_machine();
  const std::string site = s.dir() + "/site";
  fs::create_directories(site + "/torch/lib");
  fs::copy_file(TOONBOX_DOCTOR_FAKE_TORCH_CUDA, site + "/torch/lib/libtorch_cuda.so");
  fs::create_directories(site + "/nvidia/cudnn/lib");
  fs::copy_file(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/libcudnn.so.9",
                site + "/nvidia/cudnn/lib/libcudnn.so.9");
  const std::string system = s.dir() + "/cuda-12.1/lib64";
  s.add_libraries({"libcudart.so.13"}, system);
  fs::copy_file(std::string(TOONBOX_DOCTOR_STUB_DIR) + "/libcudnn.so.9",
                system + "/libcudnn.so.9.1.0");
  fs::create_symlink("libcudnn.so.9.1.0", system + "/libcudnn.so.9");
  s.env.vars["LD_LIBRARY_PATH"] = system;
  s.env.python = fake_python(
      s,
      "{\"python\": \"3.11.2\", \"torch_version\": \"2.9.0+cu130\", \"cuda\": \"13.0\", "
      "\"cudnn\": 91300, \"is_available\": true, \"device_count\": 1, \"devices\": "
      "[{\"name\": \"NVIDIA H200\", \"capability\": [9, 0]}], \"lib_dir\": \"" +
          site + "/torch/lib\"}");
  const DoctorReport r = s.run();
  const Check c = check_of(r, "pytorch.libraries");
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(
      contains(c.message, "mixed CUDA libraries: libcudnn.so.9 resolves to " +
                              fs::canonical(system + "/libcudnn.so.9").string() +
                              " (9.1.0) through LD_LIBRARY_PATH instead of torch's own " +
                              fs::canonical(site + "/nvidia/cudnn/lib/libcudnn.so.9").string()))
      << c.message;
  EXPECT_TRUE(contains(c.fix, "LD_LIBRARY_PATH"));

  // Without the system folder torch's own copy is used and nothing is mixed.
  s.env.vars.erase("LD_LIBRARY_PATH");
  const Check clean = check_of(s.run(), "pytorch.libraries");
  EXPECT_EQ(clean.status, CheckStatus::kFail);  // libcudart.so.13 is now nowhere
  EXPECT_TRUE(
      contains(clean.message,
               "libtorch_cuda.so needs libcudart.so.13, which the dynamic loader cannot find"));
}

TEST(DoctorPyTorch, ParsesTheProbeLineAmongOtherOutput) {
  TorchFacts f;
  parse_torch_probe_output(
      "warning: something\nTOONBOX_TORCH_JSON {\"torch_version\": \"2.5.1\", \"cuda\": \"12.4\", "
      "\"cudnn\": 90100, \"is_available\": false, \"arch_list\": \"oops\"}\n",
      &f);
  EXPECT_TRUE(f.ran);
  EXPECT_EQ(f.cuda, "12.4");
  EXPECT_EQ(f.cudnn, 90100);
  EXPECT_TRUE(f.arch_list.empty());  // wrong type is ignored, not thrown
  TorchFacts bad;
  parse_torch_probe_output("TOONBOX_TORCH_JSON {not json\n", &bad);
  EXPECT_FALSE(bad.ran);
  EXPECT_EQ(bad.run_error, "the probe script printed malformed JSON");
}

TEST(DoctorPyTorch, TheEmbeddedScriptRunsUnderARealPython) {
  // The probe script against whatever python (and torch) this machine has; Debian's
  // python3-torch is a CPU-only build, which must be diagnosed as such.
  Scenario s;
  s.add_healthy_machine();
  s.env.vars["PATH"] = "/usr/bin:/bin";
  s.env.python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  if (!run_process({s.env.python, "-c", "pass"}, s.env.vars, 30).started)
    GTEST_SKIP() << "no python3";
  const DoctorReport r = s.run();
  ASSERT_TRUE(r.facts.torch.has_value());
  const TorchFacts& f = *r.facts.torch;
  ASSERT_TRUE(f.ran) << f.run_error;
  EXPECT_FALSE(f.python_version.empty());
  if (f.torch_version.empty()) {
    EXPECT_TRUE(contains(f.import_error, "torch")) << f.import_error;
  } else if (f.cuda.empty()) {
    const Check c = check_of(r, "pytorch.build");
    EXPECT_EQ(c.status, CheckStatus::kFail);
    EXPECT_TRUE(contains(c.message, "is a CPU-only build")) << c.message;
    EXPECT_TRUE(contains(c.fix, "whl/cu130")) << c.fix;
  }
}

TEST(DoctorPyTorch, OsManagedPythonGetsAVirtualEnvironment) {
  const std::string cmd = torch_install_command("/usr/bin/python3", 12080, "570.124.06", true);
  EXPECT_EQ(cmd.rfind("/usr/bin/python3 -m venv ~/.venvs/torch && ~/.venvs/torch/bin/python -m pip "
                      "install torch "
                      "--index-url https://download.pytorch.org/whl/cu128",
                      0),
            0u)
      << cmd;
  EXPECT_EQ(torch_install_command("python3", 10020, "440.33", false), "");
}

}  // namespace
}  // namespace toonbox::doctor
