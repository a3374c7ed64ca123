// The TF.js graph- and layers-model importers: model.json (JSON depth and size limits, topology,
// attribute encodings, weight manifest, shard paths) and the weights shard it names
// (sizes, quantization). The input is model.json, optionally followed by the separator
// and the bytes of group1-shard1of1.bin.
#include "fuzz_util.h"
#include "import/tfjs/tfjs_importer.h"
#include "import/tfjs_layers/tfjs_layers_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = toonbox::fuzz;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t sep = in.find(fz::kFileSeparator);
  const std::filesystem::path dir = fz::scratch_dir() / "tfjs";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  fz::write_file(dir / "model.json", in.substr(0, sep));
  fz::write_file(dir / "group1-shard1of1.bin",
                 sep == std::string_view::npos ? std::string_view() : in.substr(sep + fz::kFileSeparator.size()));
  toonbox::tfjs::TfjsImportOptions options;
  options.max_weight_bytes = int64_t{64} << 20;  // a claimed huge tensor is refused, not allocated
  auto graph = toonbox::tfjs::import_tfjs_model(dir.string(), options);
  if (!graph.is_ok()) TOONBOX_FUZZ_CHECK(!graph.status().message().empty());
  toonbox::tfjs::TfjsLayersImportOptions layers_options;
  layers_options.max_weight_bytes = options.max_weight_bytes;
  auto layers = toonbox::tfjs::import_tfjs_layers_model(dir.string(), layers_options);
  if (!layers.is_ok()) TOONBOX_FUZZ_CHECK(!layers.status().message().empty());
  auto info = toonbox::tfjs::read_tfjs_layers_model_info(dir.string());
  if (!info.is_ok()) TOONBOX_FUZZ_CHECK(!info.status().message().empty());
  auto files = toonbox::tfjs::list_tfjs_model_files(dir.string(), options);
  if (files.is_ok()) {
    // Every shard must stay inside the model's folder.
    const std::string root = std::filesystem::weakly_canonical(dir, ec).string();
    for (const std::string& shard : files->shards) TOONBOX_FUZZ_CHECK(shard.rfind(root, 0) == 0);
  }
  return 0;
}
