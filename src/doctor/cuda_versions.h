// CUDA version arithmetic: the minimum-driver table, what a driver supports, and
// which PyTorch wheel variant fits a driver.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace toonbox::doctor {

// 13000 -> "13.0", 12080 -> "12.8" (CUDA_VERSION / cudaDriverGetVersion encoding).
std::string format_cuda_version(int version);
// "12.8" -> 12080; 0 when it does not parse.
int parse_cuda_version(const std::string& text);
inline int cuda_major(int version) { return version / 1000; }

// A Linux driver version, "580.65.06" -> {580, 65, 6}; empty when it does not parse.
std::vector<int> parse_driver_version(const std::string& text);
// <0, 0, >0 like strcmp; unparsable versions compare as lowest.
int compare_driver_versions(const std::string& a, const std::string& b);

// The driver released with CUDA major.minor (Linux x86_64): the version that supports
// everything in that toolkit. Empty when the table does not know that release.
std::string toolkit_driver(int cuda_version);

// The oldest driver that runs any toolkit of this CUDA major through CUDA minor-version
// compatibility (11.x: 450.80.02, 12.x: 525.60.13, 13.x: 580.65.06). Empty if unknown.
std::string minor_compat_driver(int cuda_major);

// The newest CUDA a driver version supports according to the table (for when only the
// driver's version string is known); 0 when it is older than the table.
int newest_cuda_for_driver(const std::string& driver_version);

enum class DriverFit {
  kSupported,    // driver's CUDA >= runtime's: everything works
  kMinorCompat,  // same major, older minor, driver >= the major's minimum: runs, but
                 // PTX from the newer toolkit cannot be JIT-compiled
  kTooOld,       // cudaErrorInsufficientDriver
};

// driver_cuda: what the driver supports (cuDriverGetVersion); runtime: the CUDA runtime
// version in use. driver_version is the driver's version string ("" if unknown).
DriverFit driver_fit(int driver_cuda, const std::string& driver_version, int runtime);

// The PyTorch wheel variant to install for a driver: the newest published CUDA variant
// not newer than what the driver supports; within the driver's CUDA major only an older
// variant is offered through minor-version compatibility.
struct TorchVariant {
  std::string tag;            // "cu126"
  int cuda_version = 0;       // 12060
  bool minor_compat = false;  // newer than the driver's CUDA, runs through minor compat
  std::string index_url() const { return "https://download.pytorch.org/whl/" + tag; }
};
std::optional<TorchVariant> torch_variant_for_driver(int driver_cuda,
                                                     const std::string& driver_version);

}  // namespace toonbox::doctor
