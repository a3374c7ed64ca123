// PyTorch as a test oracle for the ncnn models: runs tests/oracles/ncnn_torch_run.py (the
// published architecture with the ncnn file's weights, CPU PyTorch) and reads the output
// back. Tests skip, saying why, when no Python with torch is found.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/tensor.h"
#include "unit/ort_oracle.h"

namespace toonbox::test {

// A Python that imports torch: `python3` on PATH, else Debian's /usr/bin/python3 (a
// pyenv or venv python3 earlier on PATH may lack the Debian package); "" if neither.
inline const std::string& torch_python() {
  static const std::string python = [] {
    for (const char* p : {"python3", "/usr/bin/python3"}) {
      const std::string cmd = std::string(p) + " -c 'import torch, numpy' > /dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return std::string(p);
    }
    return std::string();
  }();
  return python;
}

inline std::string torch_unavailable_reason() {
  if (torch_python().empty())
    return "PyTorch unavailable: no python3 that imports torch and numpy (Debian python3-torch, "
           "scripts/install-deps)";
  return "";
}

namespace detail {
// Runs ncnn_torch_run.py ARCH PARAM BIN SOURCE OUT and reads OUT back.
inline Result<Tensor> run_torch_ncnn_script(const std::string& arch, const std::filesystem::path& param,
                                            const std::filesystem::path& bin, const std::string& source,
                                            const std::filesystem::path& work) {
  const auto out = work / "out.f32";
  const std::string cmd = torch_python() + " " + (oracle_dir() / "ncnn_torch_run.py").string() +
                          " " + arch + " '" + param.string() + "' '" + bin.string() + "' '" +
                          source + "' '" + out.string() + "' > " +
                          (work / "stdout.json").string() + " 2> " + (work / "stderr.txt").string();
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream e(work / "stderr.txt");
    std::string msg((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
    return internal_error("ncnn_torch_run.py failed: " + msg.substr(0, 2000));
  }
  std::ifstream f(work / "stdout.json");
  const auto j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded() || !j.contains("shape")) return internal_error("bad oracle output");
  Tensor t(DType::kFloat32, j["shape"].get<Shape>());
  std::ifstream o(out, std::ios::binary);
  o.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(t.nbytes()));
  if (o.gcount() != static_cast<std::streamsize>(t.nbytes()))
    return internal_error("short oracle output");
  return t;
}
}  // namespace detail

// Runs `arch` (see ncnn_torch_run.py) on the network input `x` (float32 NCHW).
inline Result<Tensor> run_torch_ncnn(const std::string& arch, const std::filesystem::path& param,
                                     const std::filesystem::path& bin, const Tensor& x,
                                     const std::filesystem::path& work) {
  std::filesystem::create_directories(work);
  const auto in = work / "in.f32";
  write_f32(in, x);
  std::string dims;
  for (int64_t d : x.shape()) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  return detail::run_torch_ncnn_script(arch, param, bin, in.string() + ":" + dims, work);
}

// Runs `arch` on an image file with the authors' whole contract (RGB 0..1, Real-CUGAN's
// reflect padding and crop): the output NCHW in the model's range.
inline Result<Tensor> run_torch_ncnn_image(const std::string& arch, const std::filesystem::path& param,
                                           const std::filesystem::path& bin, const std::filesystem::path& image,
                                           const std::filesystem::path& work) {
  std::filesystem::create_directories(work);
  return detail::run_torch_ncnn_script(arch, param, bin, image.string(), work);
}

}  // namespace toonbox::test
