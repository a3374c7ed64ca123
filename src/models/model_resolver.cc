#include "models/model_resolver.h"

#include <filesystem>

#include "import/model_file.h"

namespace toonbox::models {

using graph::Graph;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::UnaryOp;
using graph::UnaryParams;
using graph::Value;

namespace {

// Follows aliases (Identity, Transpose, Reshape) back from a value to the op computing it.
const Node* producer_of(const Graph& g, int value) {
  for (int guard = 0; guard < 16; ++guard) {
    const int p = g.value(value).producer;
    if (p < 0) return nullptr;
    const Node& n = g.nodes()[p];
    if (n.kind == OpKind::kIdentity || n.kind == OpKind::kTranspose || n.kind == OpKind::kReshape) {
      value = n.inputs[0];
      continue;
    }
    return &n;
  }
  return nullptr;
}

// What an unknown model's graph says about its contract.
Result<ImageContract> detect_contract(const Graph& g, const ContractDefaults& defaults, std::string* why) {
  // An inpainter has an image and a mask input, or one 4-channel input: its layout is
  // read off the image (or the 4-channel) input.
  size_t image_input = 0;
  if (defaults.inpainter) {
    auto colour = [](int64_t d) { return d == 3 || d == 4; };
    for (size_t i = 0; i < g.inputs().size(); ++i) {
      const Shape& s = g.value(g.inputs()[i]).shape;
      if (s.size() == 4 && (colour(s[1]) || colour(s[3]))) {
        image_input = i;
        break;
      }
    }
  } else if (g.inputs().size() != 1) {
    return invalid_argument("an image model has one input; this one has " + std::to_string(g.inputs().size()));
  }
  const Value& in = g.value(g.inputs()[image_input]);
  if (in.shape.size() != 4)
    return invalid_argument("input '" + in.name + "' is " + shape_to_string(in.shape) +
                            "; an image model takes [N,C,H,W] or [N,H,W,C]");
  ImageContract c;
  const int64_t d1 = in.shape[1], d3 = in.shape[3];
  const bool four = defaults.inpainter;
  const bool c1 = d1 == 3 || d1 == 1 || (four && d1 == 4), c3 = d3 == 3 || d3 == 1 || (four && d3 == 4);
  c.layout = c3 && !c1 ? Layout::kNHWC : Layout::kNCHW;
  *why = std::string("layout ") + (c.layout == Layout::kNHWC ? "NHWC" : "NCHW") + " from input shape " +
         shape_to_string(in.shape) + (c1 == c3 ? " (ambiguous: NCHW assumed)" : "");
  const int64_t channels = c.layout == Layout::kNHWC ? d3 : d1;
  if (channels != 3 && channels != -1 && !(four && channels == 4))
    return invalid_argument("input '" + in.name + "' has " + std::to_string(channels) +
                            " channels; an image model takes 3 (RGB or BGR)");
  c.channels = ChannelOrder::kRgb;
  *why += ", RGB (the default for a model the registry does not know)";
  const Node* last = g.outputs().empty() ? nullptr : producer_of(g, g.outputs()[0]);
  const UnaryOp op = last && last->kind == OpKind::kUnary ? last->p<UnaryParams>().op : UnaryOp::kIdentity;
  if (op == UnaryOp::kTanh) {
    c.output_range = {-1.f, 1.f};
    *why += ", range [-1,1] (the output is a Tanh)";
  } else if (op == UnaryOp::kSigmoid) {
    c.output_range = {0.f, 1.f};
    *why += ", range [0,1] (the output is a Sigmoid)";
  } else if (op == UnaryOp::kClip) {
    c.output_range = {last->p<UnaryParams>().alpha, last->p<UnaryParams>().beta};
    *why += ", range from the output Clip";
  } else {
    c.output_range = defaults.fallback_range;
    *why += ", range " + value_range_string(c.output_range) + " (not detectable: the default)";
  }
  c.input_range = c.output_range;
  c.size_multiple = defaults.default_multiple;
  return c;
}

// Applies each set field of `o` to `c`, naming it in `why` with `source`.
void apply_overrides(const ContractOverrides& o, const char* source, ImageContract* c, std::string* why) {
  std::string parts;
  auto note = [&](const std::string& what) { parts += (parts.empty() ? "" : ", ") + what; };
  if (o.layout) {
    c->layout = *o.layout;
    note(c->layout == Layout::kNHWC ? "NHWC" : "NCHW");
  }
  if (o.channels) {
    c->channels = *o.channels;
    note(channel_order_name(c->channels));
  }
  if (o.output_range) {
    c->output_range = *o.output_range;
    if (!o.input_range) c->input_range = *o.output_range;
    note("range " + value_range_string(c->output_range));
  }
  if (o.input_range) {
    c->input_range = *o.input_range;
    note("input range " + value_range_string(c->input_range));
  }
  if (o.size_multiple) {
    c->size_multiple = *o.size_multiple;
    note("multiple of " + std::to_string(c->size_multiple));
  }
  if (o.mask) {
    c->mask = *o.mask;
    note(mask_convention_string(c->mask));
  }
  if (!parts.empty()) *why += std::string("; ") + parts + " " + source;
}

ResolvedModel from_known(ResolvedModel r, const KnownModel& k) {
  r.known = &k;
  r.description = k.description;
  r.licence = k.licence;
  r.role = k.role;
  return r;
}

}  // namespace

Result<ResolvedModel> resolve_installed_model(const std::string& name) {
  TB_ASSIGN_OR_RETURN(InstalledModel m, find_installed_model(name));
  ResolvedModel r;
  r.name = m.name;
  r.entry_path = m.entry_path;
  r.weights_path = m.weights_path;
  r.format = m.format;
  r.description = m.description;
  r.licence = m.licence;
  r.role = m.role;
  r.installed = true;
  r.recorded = m.recorded;
  if (m.known_model) return from_known(std::move(r), *m.known_model);
  return r;
}

Result<ResolvedModel> resolve_model(const std::string& spec, const std::string& weights) {
  if (spec.empty()) return invalid_argument("no model given");
  std::error_code ec;
  if (!std::filesystem::exists(spec, ec)) {
    if (spec.find('/') != std::string::npos) return not_found(spec + ": no such model file or folder");
    if (!weights.empty()) return invalid_argument("--bin is for a model given by its path, not '" + spec + "'");
    return resolve_installed_model(spec);
  }
  ResolvedModel r;
  TB_ASSIGN_OR_RETURN(import::ModelFile file, import::identify_model_file(spec, weights));
  r.name = spec;
  r.entry_path = file.entry;
  r.weights_path = file.weights;
  r.format = file.format;
  r.description = "model " + spec;
  r.licence = "unknown (check the model's source)";
  // Digests identify a known model reached by path (a copy of White-box is still BGR).
  TB_ASSIGN_OR_RETURN(auto files, model_files(file));
  TB_ASSIGN_OR_RETURN(auto digests, file_digests(files));
  if (const KnownModel* k = identify_known_model(digests, file.format)) return from_known(std::move(r), *k);
  return r;
}

ContractDefaults inpainter_contract_defaults() {
  ContractDefaults d;
  d.fallback_range = {0.f, 1.f};
  d.default_multiple = 8;
  d.inpainter = true;
  return d;
}

Result<ImageContract> model_contract(const ResolvedModel& model, const Graph& graph,
                                     const ContractOverrides& flags, const ContractDefaults& defaults,
                                     std::string* how) {
  std::string why;
  ImageContract c;
  if (model.known) {
    c = model.known->contract;
    why = describe_contract(c) + " (registry: " + model.known->contract_source + ")";
  } else {
    TB_ASSIGN_OR_RETURN(c, detect_contract(graph, defaults, &why));
    apply_overrides(model.recorded, "(recorded by `models import`)", &c, &why);
  }
  apply_overrides(flags, "(from the command line)", &c, &why);
  if (c.size_multiple < 1 || c.size_multiple > 1024) return invalid_argument("size multiple must be 1..1024");
  if (how) *how = why;
  return c;
}

}  // namespace toonbox::models
