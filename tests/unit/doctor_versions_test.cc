// Version arithmetic, the minimum-driver table, wheel selection and architecture
// prediction: pure functions, checked against the published tables.
#include <gtest/gtest.h>

#include "doctor/build_info.h"
#include "doctor/cuda_arch.h"
#include "doctor/cuda_versions.h"
#include "doctor/platform_probe.h"
#include "doctor/shared_library.h"
#include "doctor/subprocess.h"

namespace toonbox::doctor {
namespace {

TEST(DoctorVersions, FormatsAndParsesCudaVersions) {
  EXPECT_EQ(format_cuda_version(13000), "13.0");
  EXPECT_EQ(format_cuda_version(12080), "12.8");
  EXPECT_EQ(format_cuda_version(11040), "11.4");
  EXPECT_EQ(parse_cuda_version("12.8"), 12080);
  EXPECT_EQ(parse_cuda_version("13.0"), 13000);
  EXPECT_EQ(parse_cuda_version(""), 0);
  EXPECT_EQ(format_cudnn_version(91900), "9.19.0");
  EXPECT_EQ(format_cudnn_version(8907), "8.9.7");
}

TEST(DoctorVersions, ComparesDriverVersionsNumerically) {
  EXPECT_LT(compare_driver_versions("535.104.05", "580.65.06"), 0);
  EXPECT_GT(compare_driver_versions("570.124.06", "570.26"), 0);  // 124 > 26, not "1" < "2"
  EXPECT_EQ(compare_driver_versions("580.65.06", "580.65.6"), 0);
  EXPECT_TRUE(parse_driver_version("580.x").empty());
}

TEST(DoctorVersions, MinimumDriverTable) {
  EXPECT_EQ(toolkit_driver(12000), "525.60.13");
  EXPECT_EQ(toolkit_driver(12040), "550.54.14");
  EXPECT_EQ(toolkit_driver(12080), "570.26");
  EXPECT_EQ(toolkit_driver(13000), "580.65.06");
  EXPECT_EQ(toolkit_driver(12070), "");  // there was no CUDA 12.7
  EXPECT_EQ(minor_compat_driver(11), "450.80.02");
  EXPECT_EQ(minor_compat_driver(12), "525.60.13");
  EXPECT_EQ(minor_compat_driver(13), "580.65.06");
  EXPECT_EQ(newest_cuda_for_driver("535.104.05"), 12020);
  EXPECT_EQ(newest_cuda_for_driver("570.124.06"), 12080);
  EXPECT_EQ(newest_cuda_for_driver("580.65.06"), 13000);
  EXPECT_EQ(newest_cuda_for_driver("440.33"), 0);
}

TEST(DoctorVersions, DriverFitFollowsMinorVersionCompatibility) {
  EXPECT_EQ(driver_fit(13000, "580.65.06", 13000), DriverFit::kSupported);
  EXPECT_EQ(driver_fit(13010, "590.44.01", 12080),
            DriverFit::kSupported);  // newer drivers run older runtimes
  EXPECT_EQ(driver_fit(12020, "535.104.05", 12080), DriverFit::kMinorCompat);
  EXPECT_EQ(driver_fit(12020, "535.104.05", 13000),
            DriverFit::kTooOld);  // a new major needs a new driver
  EXPECT_EQ(driver_fit(11040, "470.82.01", 12010), DriverFit::kTooOld);
  EXPECT_EQ(driver_fit(11000, "450.51.05", 11080),
            DriverFit::kTooOld);  // below 11.x's 450.80.02 floor
}

TEST(DoctorVersions, PicksTheNewestTorchWheelTheDriverSupports) {
  EXPECT_EQ(torch_variant_for_driver(13000, "580.65.06")->tag, "cu130");
  EXPECT_EQ(torch_variant_for_driver(12090, "575.57.08")->tag, "cu128");
  EXPECT_EQ(torch_variant_for_driver(12040, "550.54.14")->tag, "cu124");
  EXPECT_EQ(torch_variant_for_driver(12020, "535.104.05")->tag, "cu121");
  EXPECT_EQ(torch_variant_for_driver(12020, "535.104.05")->index_url(),
            "https://download.pytorch.org/whl/cu121");
  const auto old =
      torch_variant_for_driver(11040, "470.82.01");  // nothing <= 11.4 is published now
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->tag, "cu118");
  EXPECT_TRUE(old->minor_compat);
  EXPECT_FALSE(torch_variant_for_driver(10020, "440.33").has_value());
}

TEST(DoctorArch, ParsesCmakeAndNvccSpellings) {
  EXPECT_EQ(describe_cuda_archs(parse_cuda_archs("80-real;86-real;89-real;90-real;90-virtual")),
            "sm_80 sm_86 sm_89 sm_90 + PTX compute_90");
  EXPECT_EQ(describe_cuda_archs(parse_cuda_archs("sm_80 sm_90 compute_90")),
            "sm_80 sm_90 + PTX compute_90");
  EXPECT_EQ(describe_cuda_archs(parse_cuda_archs("75")), "sm_75 + PTX compute_75");
  EXPECT_FALSE(parse_cuda_archs("native").known);
  EXPECT_FALSE(parse_cuda_archs("").known);
}

TEST(DoctorArch, PredictsKernelImages) {
  const CudaArchList list = parse_cuda_archs("80-real;86-real;89-real;90-real;90-virtual");
  EXPECT_EQ(predict_kernel_image(list, 9, 0).kind, KernelImage::kMachineCode);
  const auto a87 = predict_kernel_image(list, 8, 7);
  EXPECT_EQ(a87.kind, KernelImage::kCompatibleMachineCode);
  EXPECT_EQ(a87.used, "sm_86");
  const auto b = predict_kernel_image(list, 12, 0);
  EXPECT_EQ(b.kind, KernelImage::kPtxJit);
  EXPECT_EQ(b.used, "compute_90");
  EXPECT_EQ(predict_kernel_image(list, 7, 5).kind, KernelImage::kNone);
  // Arch-specific code (sm_90a) runs only on exactly 9.0; no PTX falls back.
  const CudaArchList specific = parse_cuda_archs("sm_90a");
  EXPECT_EQ(predict_kernel_image(specific, 9, 0).kind, KernelImage::kMachineCode);
  EXPECT_EQ(predict_kernel_image(parse_cuda_archs("sm_80a"), 8, 6).kind, KernelImage::kNone);
  // Machine code never crosses a major version.
  EXPECT_EQ(predict_kernel_image(parse_cuda_archs("sm_90"), 10, 0).kind, KernelImage::kNone);
}

TEST(DoctorPlatform, ParsesKernelModuleVersions) {
  EXPECT_EQ(
      parse_kernel_module_version("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat "
                                  "Aug 19 01:15:15 UTC 2023\nGCC version: 12\n"),
      "535.104.05");
  EXPECT_EQ(
      parse_kernel_module_version(
          "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build"),
      "580.65.06");
  EXPECT_EQ(parse_kernel_module_version(""), "");
}

TEST(DoctorLibraries, ReadsVersionsFromFileNames) {
  EXPECT_EQ(version_from_file_name("/usr/local/cuda/lib64/libcudart.so.13.0.88"), "13.0.88");
  EXPECT_EQ(version_from_file_name("/usr/lib/libcuda.so.580.65.06"), "580.65.06");
  EXPECT_EQ(version_from_file_name("/usr/lib/libcudnn.so"), "");
}

TEST(DoctorSubprocess, CapturesOutputAndExitCode) {
  ProcessResult r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {}, 10);
  ASSERT_TRUE(r.started);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_code, 3);
}

TEST(DoctorSubprocess, KillsAChildThatTakesTooLong) {
  ProcessResult r = run_process({"/bin/sh", "-c", "echo started; exec sleep 30"}, {}, 1);
  EXPECT_TRUE(r.started);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.out, "started\n");
}

TEST(DoctorSubprocess, ReportsAProgramThatDoesNotExist) {
  ProcessResult r = run_process({"/nonexistent/python3"}, {}, 10);
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.start_error.find("No such file"), std::string::npos) << r.start_error;
}

}  // namespace
}  // namespace toonbox::doctor
