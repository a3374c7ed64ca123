#include "pipeline/model_loader.h"

#include <filesystem>

#include "import/onnx/onnx_importer.h"
#include "import/tfjs/tfjs_importer.h"
#include "models/registry.h"
#include "pipeline/builtin_style.h"

namespace toonbox {

namespace {

ModelSource builtin_source() {
  ModelSource m;
  m.name = kBuiltinStyleName;
  m.description = "built-in classic cartoon filter (no weights)";
  m.builtin = true;
  m.graph = build_classic_cartoon_graph();
  m.size_multiple = 1;
  m.margin = 8;  // the line detector's zero padding would otherwise draw a frame
  // Two guided-filter passes of two 9x9 box means each (16 px) plus the 5x5 blur and
  // 3x3 Sobel of the line art (3 px) reach 19 px: a blended pixel keeps >= 48/4 = 12 px of
  // real context and the ramp hides the rest (tiling_test: >= 40 dB, no seam).
  m.tile_overlap = 48;
  return m;
}

Result<ModelSource> from_tfjs(const std::string& name, const std::string& path,
                              const std::string& description) {
  TB_ASSIGN_OR_RETURN(Graph g, import_tfjs_model(path));
  ModelSource m;
  m.name = name;
  m.description = description;
  m.graph = std::move(g);
  m.size_multiple = 8;  // two stride-2 levels and x2 upsampling back: H, W % 4, with margin
  return m;
}

// ONNX cartoon models must have the same contract ([1,H,W,3] RGB in [-1,1]);
// AnimeGANv3 does. Other image models run through `toonbox run`.
Result<ModelSource> from_onnx(const std::string& name, const std::string& path,
                              const std::string& description) {
  TB_ASSIGN_OR_RETURN(Graph g, import_onnx_model(path));
  if (g.inputs().size() != 1 || g.value(g.inputs()[0]).shape.size() != 4 ||
      g.value(g.inputs()[0]).shape[3] != 3)
    return invalid_argument(path + ": `cartoonize` takes NHWC RGB models in [-1,1] (as AnimeGANv3); "
                            "run other ONNX image models with `toonbox run --model FILE`");
  ModelSource m;
  m.name = name;
  m.description = description;
  m.graph = std::move(g);
  m.size_multiple = 16;  // AnimeGANv3: four stride-2 levels
  return m;
}

Result<ModelSource> from_file(const std::string& name, const std::string& path,
                              const std::string& description) {
  if (std::filesystem::path(path).extension() == ".onnx") return from_onnx(name, path, description);
  return from_tfjs(name, path, description);
}

}  // namespace

Result<ModelSource> load_model_source(const std::string& spec, std::string* note) {
  if (spec == kBuiltinStyleName || spec == "builtin") return builtin_source();
  if (spec.empty()) {
    for (const char* preferred : {"whitebox", "whitebox-uint8", "animeganv3-cute"}) {
      auto installed = find_installed_model(preferred);
      if (installed.is_ok()) {
        return from_file(installed->name, installed->entry_path, installed->description);
      }
    }
    if (note) {
      *note = "no neural model installed in " + models_dir() +
              ": using the built-in 'classic' style (see `toonbox models import`)";
    }
    return builtin_source();
  }
  std::error_code ec;
  if (std::filesystem::exists(spec, ec)) return from_file(spec, spec, "model " + spec);
  if (spec.find('/') != std::string::npos) return not_found(spec + ": no such model file or folder");
  TB_ASSIGN_OR_RETURN(InstalledModel installed, find_installed_model(spec));
  return from_file(installed.name, installed.entry_path, installed.description);
}

}  // namespace toonbox
