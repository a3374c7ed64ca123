// The ONNX loader and importer: protobuf parsing, tensor sizes and data, attributes,
// opsets, external data paths (which must stay inside the model's folder), op mapping.
#include "fuzz_util.h"
#include "import/onnx/onnx_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = toonbox::fuzz;
  const std::filesystem::path dir = fz::scratch_dir() / "onnx";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path model = dir / "model.onnx";
  fz::write_file(model, std::string_view(reinterpret_cast<const char*>(data), size));
  toonbox::onnx_import::OnnxImportOptions options;
  options.max_weight_bytes = int64_t{64} << 20;
  auto graph = toonbox::onnx_import::import_onnx_model(model.string(), options);
  if (!graph.is_ok()) TOONBOX_FUZZ_CHECK(!graph.status().message().empty());
  auto info = toonbox::onnx_import::read_onnx_model_info(model.string(), options);
  if (!info.is_ok()) TOONBOX_FUZZ_CHECK(!info.status().message().empty());
  auto external = toonbox::onnx_import::onnx_external_data_files(model.string(), options);
  if (external.is_ok())
    for (const std::string& rel : *external) {
      TOONBOX_FUZZ_CHECK(!rel.empty() && rel[0] != '/');
      TOONBOX_FUZZ_CHECK(std::filesystem::path(rel).lexically_normal().string().rfind("..", 0) != 0);
    }
  return 0;
}
