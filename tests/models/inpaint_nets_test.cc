// The LaMa and MI-GAN reference networks (tests/oracles/inpaint_nets.py: big-lama's FFC
// generator and MI-GAN's generator at reduced width, seeded random weights), exported
// by tests/oracles/inpaint_nets_export.py in every ONNX form users have:
//   lama_matmul   Carve/LaMa-ONNX's spelling (FFTs as MatMul with cos/sin + flip + concat)
//   lama_dft17    ONNX DFT nodes, opset 17
//   lama_dft20    the same at opset 20 (axis as an input)
//   lama_dynamic  one 4-channel input of any size (run at another size than exported)
//   migan         the MI-GAN-shaped generator
// Each runs through toonbox (import, Session) and is compared with PyTorch (the same
// network with torch.fft) and with ONNX Runtime on the same file. PSNR over the
// reference output's own range: >= 50 dB in fp32 (CPU, CUDA fp32), >= 40 dB in mixed
// precision (CUDA fp16 storage; the Dft op computes in fp32 inside it). The CUDA cases
// skip without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "backend/cpu/cpu_backend.h"
#include "engine/session.h"
#include "import/onnx/onnx_importer.h"
#include "models/inpaint_forms.h"
#include "models/torch_oracle.h"
#include "unit/ort_oracle.h"
#include "unit/test_util.h"

using namespace toonbox::models;
using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

// The exported nets, written once per process into a temporary folder.
struct Exported {
  std::string skip;  // why the nets are unavailable
  nlohmann::json manifest;
};

const Exported& exported() {
  static const Exported e = [] {
    Exported r;
    if (r.skip = test::torch_unavailable_reason(); !r.skip.empty()) return r;
    const fs::path dir =
        fs::temp_directory_path() / ("toonbox_inpaint_nets_" + std::to_string(::getpid()));
    const std::string cmd = test::torch_python() + " " +
                            (test::oracle_dir() / "inpaint_nets_export.py").string() + " " +
                            dir.string() + " > " + (dir.string() + ".log") + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      r.skip = "inpaint_nets_export.py failed: see " + dir.string() + ".log";
      return r;
    }
    std::ifstream f(dir / "manifest.json");
    r.manifest = nlohmann::json::parse(f, nullptr, false);
    if (r.manifest.is_discarded()) r.skip = "bad manifest from inpaint_nets_export.py";
    return r;
  }();
  return e;
}

Tensor read_f32(const std::string& path, const Shape& shape) {
  Tensor t(DType::kFloat32, shape);
  std::ifstream f(path, std::ios::binary);
  f.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(t.nbytes()));
  EXPECT_EQ(f.gcount(), static_cast<std::streamsize>(t.nbytes())) << path;
  return t;
}

// PSNR of `got` against `want` with the peak taken as want's range (max - min).
double psnr(const Tensor& got, const Tensor& want) {
  const float* g = got.data<float>();
  const float* w = want.data<float>();
  const auto [lo, hi] = std::minmax_element(w, w + want.numel());
  double se = 0;
  for (int64_t i = 0; i < want.numel(); ++i) se += (double(g[i]) - w[i]) * (double(g[i]) - w[i]);
  const double mse = se / static_cast<double>(want.numel()), peak = *hi - *lo;
  return mse == 0 ? 200.0 : 10 * std::log10(peak * peak / mse);
}

struct BackendParam {
  const char* name;  // Cpu, CudaFp32, CudaMixed
  Precision precision;
};

struct Case {
  BackendParam backend;
  const char* form;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.form << "/" << c.backend.name; }

class InpaintNets : public ::testing::TestWithParam<Case> {};

TEST_P(InpaintNets, MatchPyTorchAndOnnxRuntime) {
  const Case& c = GetParam();
  const Exported& e = exported();
  if (!e.skip.empty()) GTEST_SKIP() << e.skip;
  if (std::string why = test::ort_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  std::string skip;
  std::shared_ptr<Backend> backend =
      std::string(c.backend.name) == "Cpu" ? cpu::create_cpu_backend() : test::cuda_backend(&skip);
  if (!backend) GTEST_SKIP() << skip;
  if (!e.manifest.contains(c.form)) GTEST_SKIP() << c.form << " not exported";
  const auto& m = e.manifest.at(c.form);
  if (m.contains("skip")) GTEST_SKIP() << m["skip"].get<std::string>();
  auto graph = onnx_import::import_onnx_model(m["file"].get<std::string>());
  ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
  std::vector<Tensor> inputs;
  std::vector<test::OrtInput> ort_inputs;
  for (int id : graph->inputs()) {
    const std::string& name = graph->value(id).name;
    Tensor t = read_f32(m["input_files"][name].get<std::string>(), m["inputs"][name].get<Shape>());
    ort_inputs.push_back({name, t.clone()});
    inputs.push_back(std::move(t));
  }
  const Tensor torch_out = read_f32(m["torch"].get<std::string>(), m["output"].get<Shape>());
  auto ort = test::run_ort(
      m["file"].get<std::string>(), ort_inputs,
      fs::temp_directory_path() / ("toonbox_inpaint_ort_" + std::to_string(::getpid())) / c.form);
  ASSERT_TRUE(ort.is_ok()) << ort.status().to_string();
  Session session(std::move(graph).value(), backend, c.backend.precision);
  auto got = session.run(inputs);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ((*got)[0].shape(), torch_out.shape());
  const double vs_torch = psnr((*got)[0], torch_out), vs_ort = psnr((*got)[0], (*ort)[0]);
  const double ort_vs_torch = psnr((*ort)[0], torch_out);
  std::printf(
      "[ measure ] %s %s: PSNR vs PyTorch %.1f dB, vs ONNX Runtime %.1f dB (ORT vs "
      "PyTorch %.1f dB)\n",
      c.form, c.backend.name, vs_torch, vs_ort, ort_vs_torch);
  const double want = c.backend.precision == Precision::kFloat16 ? 40.0 : 50.0;
  EXPECT_GE(vs_torch, want);
  EXPECT_GE(vs_ort, want);
}

// Each export is recognised as the form models/inpaint_forms.h says it is.
TEST(InpaintNetsForms, EachExportIsIdentified) {
  const Exported& e = exported();
  if (!e.skip.empty()) GTEST_SKIP() << e.skip;
  const std::map<std::string, std::string> want = {{"lama_matmul", "lama-image-mask"},
                                                   {"lama_dft17", "lama-image-mask"},
                                                   {"lama_dynamic", "lama-4ch"},
                                                   {"migan", "migan-generator"}};
  for (const auto& [form, id] : want) {
    auto graph = onnx_import::import_onnx_model(e.manifest.at(form)["file"].get<std::string>());
    ASSERT_TRUE(graph.is_ok()) << form << ": " << graph.status().to_string();
    auto found = identify_inpaint_form(*graph);
    ASSERT_TRUE(found.is_ok()) << form << ": " << found.status().to_string();
    EXPECT_EQ((*found)->id, id) << form;
  }
}

// A LaMa file of the wrong shape is refused, saying what is wrong and where, and never
// runs wrong: the fixed-size file (the MatMul spelling bakes its size into the DFT
// matrices) names the input and both shapes; the dynamic one at a size that is not a
// multiple of 8 (an odd spectrum width at the bottleneck, which its Hermitian rebuild
// assumes even) names the node whose shapes disagree.
TEST(InpaintNetsForms, WrongSizeIsRefusedByName) {
  const Exported& e = exported();
  if (!e.skip.empty()) GTEST_SKIP() << e.skip;
  auto fixed =
      onnx_import::import_onnx_model(e.manifest.at("lama_matmul")["file"].get<std::string>());
  ASSERT_TRUE(fixed.is_ok()) << fixed.status().to_string();
  Session s1(std::move(fixed).value(), cpu::create_cpu_backend(), Precision::kFloat32);
  auto r1 =
      s1.run({Tensor(DType::kFloat32, {1, 3, 64, 64}), Tensor(DType::kFloat32, {1, 1, 64, 64})});
  ASSERT_FALSE(r1.is_ok()) << "a 96x128 LaMa file ran at 64x64";
  const std::string m1 = r1.status().to_string();
  EXPECT_NE(m1.find("input 'image': got shape [1,3,64,64], expected [1,3,96,128]"),
            std::string::npos)
      << m1;
  auto dynamic =
      onnx_import::import_onnx_model(e.manifest.at("lama_dynamic")["file"].get<std::string>());
  ASSERT_TRUE(dynamic.is_ok()) << dynamic.status().to_string();
  Session s2(std::move(dynamic).value(), cpu::create_cpu_backend(), Precision::kFloat32);
  auto r2 = s2.run({Tensor(DType::kFloat32, {1, 4, 80, 120})});  // bottleneck 10x15
  ASSERT_FALSE(r2.is_ok()) << "the dynamic LaMa ran with an odd bottleneck width";
  const std::string m2 = r2.status().to_string();
  std::printf("[ measure ] lama_dynamic at 80x120: %s\n", m2.c_str());
  EXPECT_NE(m2.find("node '"), std::string::npos) << m2;
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const BackendParam& b :
       {BackendParam{"Cpu", Precision::kFloat32}, BackendParam{"CudaFp32", Precision::kFloat32},
        BackendParam{"CudaMixed", Precision::kFloat16}})
    for (const char* form : {"lama_matmul", "lama_dft17", "lama_dft20", "lama_dynamic", "migan"})
      out.push_back({b, form});
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, InpaintNets, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  return std::string(info.param.form) + "_" + info.param.backend.name;
});

}  // namespace
}  // namespace toonbox
