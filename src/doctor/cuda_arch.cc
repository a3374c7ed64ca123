#include "doctor/cuda_arch.h"

#include <algorithm>
#include <cctype>

namespace toonbox::doctor {
namespace {

std::vector<std::string> split_tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ';' || c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// "90a" -> {90, 'a'}; false when it is not a number with an optional a/f suffix.
bool parse_number(const std::string& s, CudaArch* arch) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i > 4) return false;
  arch->number = std::stoi(s.substr(0, i));
  if (i == s.size()) return true;
  if (i + 1 == s.size() && (s[i] == 'a' || s[i] == 'f')) {
    arch->suffix = s[i];
    return true;
  }
  return false;
}

std::string arch_name(const CudaArch& a) {
  std::string name = (a.ptx ? "compute_" : "sm_") + std::to_string(a.number);
  if (a.suffix) name += a.suffix;
  return name;
}

}  // namespace

std::string sm_name(int cc_major, int cc_minor) {
  return "sm_" + std::to_string(cc_major * 10 + cc_minor);
}

CudaArchList parse_cuda_archs(const std::string& text) {
  CudaArchList list;
  for (const std::string& tok : split_tokens(text)) {
    if (tok == "native" || tok == "all" || tok == "all-major") return CudaArchList{};
    CudaArch arch;
    bool real = true, virt = false;
    std::string num = tok;
    if (tok.rfind("sm_", 0) == 0) {
      num = tok.substr(3);
    } else if (tok.rfind("compute_", 0) == 0) {
      num = tok.substr(8);
      real = false;
      virt = true;
    } else if (auto dash = tok.find('-'); dash != std::string::npos) {
      const std::string kind = tok.substr(dash + 1);
      num = tok.substr(0, dash);
      if (kind == "real") {
        real = true;
      } else if (kind == "virtual") {
        real = false;
        virt = true;
      } else {
        return CudaArchList{};
      }
    } else {
      virt = true;  // CMake: a bare "90" means both machine code and PTX
    }
    if (!parse_number(num, &arch)) return CudaArchList{};
    if (real) list.archs.push_back(arch);
    if (virt) {
      arch.ptx = true;
      list.archs.push_back(arch);
    }
  }
  list.known = !list.archs.empty();
  return list;
}

std::string describe_cuda_archs(const CudaArchList& list) {
  if (!list.known) return "unknown";
  std::string sass, ptx;
  for (const CudaArch& a : list.archs) {
    std::string& out = a.ptx ? ptx : sass;
    if (!out.empty()) out += ' ';
    out += arch_name(a);
  }
  if (ptx.empty()) return sass;
  if (sass.empty()) return "PTX " + ptx;
  return sass + " + PTX " + ptx;
}

KernelImagePrediction predict_kernel_image(const CudaArchList& list, int cc_major, int cc_minor) {
  if (!list.known || cc_major <= 0) return {};
  const int device = cc_major * 10 + cc_minor;
  // Machine code runs on the same major at an equal or higher minor ("sm_80 runs on
  // 8.6"); arch-specific 'a' code runs only on its exact arch.
  const CudaArch* best_sass = nullptr;
  const CudaArch* best_ptx = nullptr;
  for (const CudaArch& a : list.archs) {
    if (a.ptx) {
      if (a.suffix != 'a' && a.number <= device && (!best_ptx || a.number > best_ptx->number))
        best_ptx = &a;
      continue;
    }
    if (a.number == device) return {KernelImage::kMachineCode, arch_name(a)};
    if (a.suffix == 'a') continue;
    if (a.number / 10 == cc_major && a.number < device &&
        (!best_sass || a.number > best_sass->number))
      best_sass = &a;
  }
  if (best_sass) return {KernelImage::kCompatibleMachineCode, arch_name(*best_sass)};
  // PTX of an older virtual arch can be JIT-compiled for any newer device.
  if (best_ptx) return {KernelImage::kPtxJit, arch_name(*best_ptx)};
  return {KernelImage::kNone, ""};
}

}  // namespace toonbox::doctor
