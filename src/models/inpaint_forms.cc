#include "models/inpaint_forms.h"

namespace toonbox::models {

const std::vector<InpaintForm>& inpaint_forms() {
  static const std::vector<InpaintForm> forms = {
      {"lama-image-mask",
       "LaMa (big-lama), two inputs: image and mask (Carve/LaMa-ONNX)",
       "image",
       "mask",
       "",
       "",
       {0.f, 1.f},
       MaskConvention::kOneIsHole,
       {0.f, 255.f},
       8,
       0,
       "",
       "Carve/LaMa-ONNX lama_fp32.onnx (opset 17, 512x512 fixed) as its users feed it: image "
       "RGB/255, mask 1 = fill, output 0..255; advimman/lama predict.py: img * (1 - mask) || mask, "
       "sides padded to a multiple of 8"},
      {"lama-4ch",
       "LaMa (big-lama) generator, one 4-channel input",
       "",
       "",
       "input",
       "img*(1-mask) || mask",
       {0.f, 1.f},
       MaskConvention::kOneIsHole,
       {0.f, 1.f},
       8,
       0,
       "",
       "advimman/lama saicinpainting/training/trainers/default.py (concat_mask) and "
       "configs/training/big-lama.yaml (add_out_act: sigmoid); predict.py pad_out_to_modulo 8"},
      {"migan-generator",
       "MI-GAN generator, one 4-channel input at its fixed resolution",
       "",
       "",
       "input",
       "known-0.5 || img*known",
       {-1.f, 1.f},
       MaskConvention::kZeroIsHole,
       {-1.f, 1.f},
       1,
       0,
       "",
       "Picsart-AI-Research/MI-GAN scripts/create_onnx_pipeline.py preprocess(): "
       "image * 2 / 255 - 1, mask / 255 (255 = known), cat([mask - 0.5, image * mask]); "
       "postprocess(): (out * 0.5 + 0.5) * 255; resolution 256 or 512 fixed by its buffers"},
      {"migan-pipeline",
       "MI-GAN ONNX pipeline (uint8 image and mask, crops inside the graph)",
       "image",
       "mask",
       "",
       "",
       {0.f, 255.f},
       MaskConvention::kByte255IsKnown,
       {0.f, 255.f},
       1,
       0,
       "the pipeline crops around the hole with shapes computed from the mask at run time "
       "(boolean indexing, dynamic slices, an in-place paste) and takes uint8 tensors: toonbox "
       "compiles a graph once per input shape and runs float tensors; export the generator "
       "alone (scripts/export_inference_model.py) and let toonbox inpaint crop and composite",
       "Picsart-AI-Research/MI-GAN scripts/create_onnx_pipeline.py MIGAN_Pipeline.forward"},
  };
  return forms;
}

const InpaintForm* find_inpaint_form(const std::string& id) {
  for (const InpaintForm& f : inpaint_forms())
    if (id == f.id) return &f;
  return nullptr;
}

namespace {

int64_t channels_of(const graph::Value& v) { return v.shape.size() == 4 ? v.shape[1] : -1; }

std::string describe_inputs(const graph::Graph& g) {
  std::string s;
  for (int id : g.inputs())
    s += (s.empty() ? "" : ", ") +
         ("'" + g.value(id).name + "' " + shape_to_string(g.value(id).shape));
  return s.empty() ? "no inputs" : s;
}

}  // namespace

Result<const InpaintForm*> identify_inpaint_form(const graph::Graph& g) {
  const auto& in = g.inputs();
  if (in.size() == 2) {
    const graph::Value& a = g.value(in[0]);
    const graph::Value& b = g.value(in[1]);
    const graph::Value* image = a.name == "image" ? &a : b.name == "image" ? &b : nullptr;
    const graph::Value* mask = a.name == "mask" ? &a : b.name == "mask" ? &b : nullptr;
    if (image && mask && channels_of(*image) == 3 && channels_of(*mask) == 1)
      return find_inpaint_form("lama-image-mask");
  }
  if (in.size() == 1 && channels_of(g.value(in[0])) == 4 && !g.outputs().empty()) {
    const int producer = g.value(g.outputs()[0]).producer;
    const bool sigmoid = producer >= 0 && g.nodes()[producer].kind == graph::OpKind::kUnary &&
                         g.nodes()[producer].p<graph::UnaryParams>().op == graph::UnaryOp::kSigmoid;
    return find_inpaint_form(sigmoid ? "lama-4ch" : "migan-generator");
  }
  return invalid_argument("not an inpainting model toonbox knows: got " + describe_inputs(g) +
                          ", expected 'image' [N,3,H,W] and 'mask' [N,1,H,W] (LaMa, Carve's "
                          "export) or one [1,4,H,W] input (a LaMa or MI-GAN generator)");
}

}  // namespace toonbox::models
