// The ncnn importer: the .param text (header, layer and blob counts, names, key=value
// parameters and arrays), the model info read from it alone, and the .bin weights it
// calls for (storage tags, fp16, int8, quantization tables, sizes). The input is the
// .param text, optionally followed by the separator and the bytes of the .bin.
#include "fuzz_util.h"
#include "import/ncnn/ncnn_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = toonbox::fuzz;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t sep = in.find(fz::kFileSeparator);
  const std::filesystem::path dir = fz::scratch_dir() / "ncnn";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path param = dir / "model.param", bin = dir / "model.bin";
  fz::write_file(param, in.substr(0, sep));
  fz::write_file(bin, sep == std::string_view::npos ? std::string_view() : in.substr(sep + fz::kFileSeparator.size()));
  toonbox::ncnn::NcnnImportOptions options;
  options.max_weight_bytes = int64_t{64} << 20;  // a claimed huge array is refused, not allocated
  auto graph = toonbox::ncnn::import_ncnn_model(param.string(), bin.string(), options);
  // A refusal always says why; an accepted network has at least one input and one output.
  if (!graph.is_ok()) TOONBOX_FUZZ_CHECK(!graph.status().message().empty());
  else TOONBOX_FUZZ_CHECK(!graph->inputs().empty() && !graph->outputs().empty());
  auto info = toonbox::ncnn::read_ncnn_model_info(param.string(), options);
  if (!info.is_ok()) TOONBOX_FUZZ_CHECK(!info.status().message().empty());
  // What the importer accepts, the info reader reads too (both parse the same text).
  if (graph.is_ok()) TOONBOX_FUZZ_CHECK(info.is_ok());
  return 0;
}
