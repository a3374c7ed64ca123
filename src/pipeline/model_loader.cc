#include "pipeline/model_loader.h"

#include "import/model_file.h"
#include "models/model_resolver.h"
#include "pipeline/builtin_style.h"

namespace toonbox::pipeline {

namespace {

ModelSource builtin_source() {
  ModelSource m;
  m.name = models::kBuiltinStyleName;
  m.description = "built-in classic cartoon filter (no weights)";
  m.builtin = true;
  m.graph = build_classic_cartoon_graph();
  m.contract.layout = graph::Layout::kNHWC;
  m.contract.channels = models::ChannelOrder::kRgb;  // its luma weights are for R, G, B
  m.contract.input_range = m.contract.output_range = {-1.f, 1.f};
  m.contract.size_multiple = 1;
  m.contract_how = models::describe_contract(m.contract) + " (built in)";
  m.margin = 8;  // the line detector's zero padding would otherwise draw a frame
  // Two guided-filter passes of two 9x9 box means each (16 px) plus the 5x5 blur and
  // 3x3 Sobel of the line art (3 px) reach 19 px: a blended pixel keeps >= 48/4 = 12 px of
  // real context and the ramp hides the rest (tiling_test: >= 40 dB, no seam).
  m.tile_overlap = 48;
  return m;
}

}  // namespace

Result<ModelSource> model_source_from(const models::ResolvedModel& r,
                                      const models::ContractOverrides& flags) {
  if (r.role == models::ModelRole::kFaceDetector)
    return invalid_argument("'" + r.name + "' is a face detector, not a style: portrait mode uses it by itself");
  if (r.role == models::ModelRole::kFaceRestorer)
    return invalid_argument("'" + r.name + "' is a face restorer, not a style: use `toonbox restore`, or "
                            "`cartoonize --restore " + r.name + "` to restore faces before stylizing");
  if (r.role == models::ModelRole::kInpainter)
    return invalid_argument("'" + r.name + "' is an inpainter, not a style: run it with `toonbox inpaint`");
  TB_ASSIGN_OR_RETURN(graph::Graph g, import::import_model_file(r.file()));
  ModelSource m;
  m.name = r.name;
  m.description = r.description;
  // Stylization models keep the size; an unknown one's range defaults to [-1,1], the
  // convention of the cartoon generators (White-box, AnimeGAN, CartoonGAN).
  models::ContractDefaults defaults;
  defaults.fallback_range = {-1.f, 1.f};
  defaults.default_multiple = r.format == "tfjs" ? 8 : 16;
  auto contract = models::model_contract(r, g, flags, defaults, &m.contract_how);
  if (!contract.is_ok()) return contract.status().with_context(r.entry_path);
  m.contract = contract.value();
  m.graph = std::move(g);
  return m;
}

Result<ModelSource> load_model_source(const std::string& spec, std::string* note,
                                      const models::ContractOverrides& flags) {
  if (spec == models::kBuiltinStyleName || spec == "builtin") return builtin_source();
  if (spec.empty()) {
    for (const char* preferred : {"whitebox", "whitebox-uint8", "animeganv3-cute"}) {
      auto installed = models::resolve_model(preferred);
      if (installed.is_ok()) return model_source_from(installed.value(), flags);
    }
    if (note) {
      *note = "no neural model installed in " + models::models_dir() +
              ": using the built-in 'classic' style (see `toonbox models import`)";
    }
    return builtin_source();
  }
  TB_ASSIGN_OR_RETURN(models::ResolvedModel resolved, models::resolve_model(spec));
  return model_source_from(resolved, flags);
}

}  // namespace toonbox::pipeline
