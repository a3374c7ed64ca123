#include "doctor/cuda_versions.h"

#include <algorithm>
#include <cstdlib>

namespace toonbox::doctor {
namespace {

struct DriverRow {
  int cuda;
  const char* driver;
};

// "CUDA Toolkit and Corresponding Driver Versions", Linux x86_64, GA release of each
// minor version, from the CUDA Toolkit Release Notes (docs.nvidia.com/cuda/
// cuda-toolkit-release-notes, Table 3). 13.1's entry is as published with 13.1 GA.
constexpr DriverRow kToolkitDrivers[] = {
    {11000, "450.51.05"}, {11010, "455.23"},    {11020, "460.27.03"}, {11030, "465.19.01"},
    {11040, "470.42.01"}, {11050, "495.29.05"}, {11060, "510.39.01"}, {11070, "515.43.04"},
    {11080, "520.61.05"}, {12000, "525.60.13"}, {12010, "530.30.02"}, {12020, "535.54.03"},
    {12030, "545.23.06"}, {12040, "550.54.14"}, {12050, "555.42.02"}, {12060, "560.28.03"},
    {12080, "570.26"},    {12090, "575.51.03"}, {13000, "580.65.06"}, {13010, "590.44.01"},
};

// CUDA minor-version compatibility ("CUDA Compatibility" guide, docs.nvidia.com/deploy/
// cuda-compatibility): from CUDA 11 on, a toolkit of one major runs on any driver at or
// above that major's first driver (13.x: ">= 580", i.e. 580.65.06, 13.0's driver).
constexpr DriverRow kMinorCompatDrivers[] = {
    {11, "450.80.02"},
    {12, "525.60.13"},
    {13, "580.65.06"},
};

// PyTorch's CUDA wheel variants on download.pytorch.org; each index serves the newest
// torch built for it. cu129 is left out on purpose: it was published for one release
// only, so a 12.9 driver is better served by cu128, which newer torch releases keep.
constexpr int kTorchVariants[] = {11080, 12010, 12040, 12060, 12080, 13000};

std::string torch_tag(int v) {
  return "cu" + std::to_string(v / 1000) + std::to_string((v % 1000) / 10);
}

}  // namespace

std::string format_cuda_version(int version) {
  if (version <= 0) return "unknown";
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

int parse_cuda_version(const std::string& text) {
  char* end = nullptr;
  long major = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || major <= 0) return 0;
  long minor = 0;
  if (*end == '.') minor = std::strtol(end + 1, nullptr, 10);
  return static_cast<int>(major * 1000 + minor * 10);
}

std::vector<int> parse_driver_version(const std::string& text) {
  std::vector<int> parts;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 6) return {};
    parts.push_back(std::stoi(text.substr(i, j - i)));
    if (j == text.size()) break;
    if (text[j] != '.') return {};
    i = j + 1;
    if (i == text.size()) return {};
  }
  return parts;
}

int compare_driver_versions(const std::string& a, const std::string& b) {
  const std::vector<int> va = parse_driver_version(a), vb = parse_driver_version(b);
  if (va.empty() || vb.empty()) return va.empty() == vb.empty() ? 0 : (va.empty() ? -1 : 1);
  for (size_t i = 0; i < std::max(va.size(), vb.size()); ++i) {
    const int x = i < va.size() ? va[i] : 0, y = i < vb.size() ? vb[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string toolkit_driver(int cuda_version) {
  const int key = cuda_version / 10 * 10;  // ignore a patch digit
  for (const DriverRow& row : kToolkitDrivers)
    if (row.cuda == key) return row.driver;
  return "";
}

std::string minor_compat_driver(int major) {
  for (const DriverRow& row : kMinorCompatDrivers)
    if (row.cuda == major) return row.driver;
  return "";
}

int newest_cuda_for_driver(const std::string& driver_version) {
  int best = 0;
  for (const DriverRow& row : kToolkitDrivers)
    if (compare_driver_versions(driver_version, row.driver) >= 0) best = row.cuda;
  return best;
}

DriverFit driver_fit(int driver_cuda, const std::string& driver_version, int runtime) {
  if (driver_cuda >= runtime) return DriverFit::kSupported;
  if (cuda_major(driver_cuda) == cuda_major(runtime) && cuda_major(runtime) >= 11) {
    const std::string floor = minor_compat_driver(cuda_major(runtime));
    // cuDriverGetVersion reporting the same major already means the driver belongs to
    // that major's branch; the version string, when known, must clear the floor too.
    if (driver_version.empty() || floor.empty() ||
        compare_driver_versions(driver_version, floor) >= 0)
      return DriverFit::kMinorCompat;
  }
  return DriverFit::kTooOld;
}

std::optional<TorchVariant> torch_variant_for_driver(int driver_cuda,
                                                     const std::string& driver_version) {
  if (driver_cuda <= 0) return std::nullopt;
  std::optional<TorchVariant> best;
  for (int v : kTorchVariants)
    if (v <= driver_cuda) best = TorchVariant{torch_tag(v), v, false};
  if (best) return best;
  // Nothing old enough: the oldest variant of the driver's own major still runs through
  // minor-version compatibility when the driver clears that major's floor.
  for (int v : kTorchVariants) {
    if (cuda_major(v) != cuda_major(driver_cuda)) continue;
    if (driver_fit(driver_cuda, driver_version, v) == DriverFit::kMinorCompat)
      return TorchVariant{torch_tag(v), v, true};
    break;
  }
  return std::nullopt;
}

}  // namespace toonbox::doctor
