#include "cli/restore_flags.h"

#include "cli/cartoonize_folder.h"

namespace toonbox::cli {

std::vector<ArgSpec> restore_arg_specs() {
  return {{"--fidelity", true, "", false, "W", "CodeFormer's fidelity weight 0..1 (0 quality, 1 fidelity; default 0.5)"},
          {"--upscale", true, "", false, "N",
           "output N times the input (needs the upscale task's\nrealesr-animevideov3-xN installed; default 1)"},
          {"--faces-only", false, "", false, "", "write nothing when no face is restored (default: pass the image through)"},
          {"--face-template", true, "", false, "T",
           "align faces to ffhq, gpen or arcface128 (default: the registry's,\nelse ffhq)"},
          {"--face-size", true, "", false, "N",
           "the model's face size (64..2048), for a model whose input size is\nnot fixed"},
          {"--min-face", true, "", false, "N", "faces smaller than N px (box side) are not restored (default 16)"},
          {"--face-score", true, "", false, "S", "detections scored below S (0..1) are not restored (default 0.8)"},
          {"--face-batch", true, "", false, "N", "face crops per device call, 1..64 (default 8)"}};
}

Result<pipeline::RestoreOptions> parse_restore_options(const ParsedArgs& a) {
  pipeline::RestoreOptions o;
  if (a.has("--fidelity")) {
    TB_ASSIGN_OR_RETURN(o.fidelity, parse_unit_flag(a, "--fidelity"));
  }
  if (a.has("--face-score")) {
    TB_ASSIGN_OR_RETURN(o.face_score, parse_unit_flag(a, "--face-score"));
  }
  long long upscale = o.upscale, min_face = o.min_face, batch = o.batch;
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--upscale", 1, 8, &upscale));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--min-face", 1, 16384, &min_face));
  TB_RETURN_IF_ERROR(parse_integer_flag(a, "--face-batch", 1, 64, &batch));
  o.upscale = static_cast<int>(upscale);
  o.min_face = static_cast<int>(min_face);
  o.batch = static_cast<int>(batch);
  o.faces_only = a.has("--faces-only");
  return o;
}

Result<models::FaceRestoreOverrides> parse_restore_overrides(const ParsedArgs& a) {
  models::FaceRestoreOverrides o;
  if (a.has("--face-template")) {
    TB_ASSIGN_OR_RETURN(o.face_template, models::parse_face_template(a.get("--face-template")));
  }
  if (a.has("--face-size")) {
    long long size = 0;
    TB_RETURN_IF_ERROR(parse_integer_flag(a, "--face-size", models::kMinRestoreModelSize,
                                          models::kMaxRestoreModelSize, &size));
    o.size = static_cast<int>(size);
  }
  return o;
}

Result<std::shared_ptr<pipeline::RestorePipeline>> load_restore_before_cartoonize(
    const ParsedArgs& a, const engine::DeviceSelection& device) {
  if (!a.has("--restore")) return std::shared_ptr<pipeline::RestorePipeline>();
  TB_ASSIGN_OR_RETURN(pipeline::RestoreOptions o, parse_restore_options(a));
  TB_ASSIGN_OR_RETURN(pipeline::RestoreModels models,
                      pipeline::load_restore_models(a.get("--restore"), {}, device));
  TB_RETURN_IF_ERROR(pipeline::check_restore_options(models, o));
  return std::make_shared<pipeline::RestorePipeline>(std::move(models));
}

Result<image::Image> restore_before_cartoonize(pipeline::RestorePipeline* restore,
                                               const ParsedArgs& a, const image::Image& image,
                                               std::vector<std::string>* notes) {
  if (!restore) return image;
  TB_ASSIGN_OR_RETURN(pipeline::RestoreOptions o, parse_restore_options(a));
  pipeline::RestoreReport r;
  TB_ASSIGN_OR_RETURN(image::Image restored, restore->process(image, o, &r));
  notes->push_back("restore: " + std::to_string(r.faces) + " face" + (r.faces == 1 ? "" : "s") + " restored with " +
                   restore->models().restorer->name() + " before stylizing");
  for (const std::string& n : r.notes) notes->push_back("restore: " + n);
  return restored;
}

}  // namespace toonbox::cli
