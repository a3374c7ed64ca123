// toonbox models list | known | import PATH [--name NAME] [--force] | download NAME | remove NAME | info FILE|NAME
#include <cstdio>

#include <filesystem>
#include <map>

#include "backend/cpu/cpu_backend.h"
#include "backend/cuda_plugin_loader.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/contract_flags.h"
#include "cli/models_download.h"
#include "cli/option_help.h"
#include "compile/fusion.h"
#include "compile/conv_transpose_lowering.h"
#include "compile/modulated_conv.h"
#include "compile/specialize.h"
#include "import/model_file.h"
#include "import/ncnn/ncnn_importer.h"
#include "import/onnx/onnx_importer.h"
#include "import/tfjs_layers/tfjs_layers_importer.h"
#include "models/model_resolver.h"
#include "models/model_sources.h"
#include "pipeline/builtin_style.h"
#include "models/registry.h"

namespace toonbox::cli {

namespace {

// The synopsis; the option lists under it are generated from models_import_options()
// and models_download_options() (option_help.h), each under its subcommand's heading.
constexpr const char* kSynopsis =
    "usage: toonbox models list                 models installed in the models directory\n"
    "       toonbox models known                models toonbox can identify, with licences\n"
    "       toonbox models import PATH [--name NAME] [--force] [--bin FILE] [--channels rgb|bgr]\n"
    "                             [--range LO,HI] [--input-range LO,HI] [--layout nchw|nhwc]\n"
    "                             [--multiple N] [--mask-convention hole=V,known=V|lama|migan]\n"
    "                                           install a .onnx model, a TF.js model\n"
    "                                           (model.json or its folder) or an ncnn\n"
    "                                           .param/.param.bin with its weights; the\n"
    "                                           contract flags record how an unknown\n"
    "                                           model's pixels are laid out (known\n"
    "                                           models: the registry's)\n"
    "       toonbox models download NAME [--from DIR] [--yes] [--timeout S] [-q]\n"
    "                                           fetch a known model from its upstream URL\n"
    "                                           (or take its files from DIR), check every\n"
    "                                           sha256 and install it; shows the licence\n"
    "                                           and asks (--yes accepts); resumes an\n"
    "                                           interrupted download\n"
    "       toonbox models remove NAME          delete an installed model\n"
    "       toonbox models info FILE|NAME|classic [--bin FILE]\n"
    "                                           role, pixel contract, licence, inputs,\n"
    "                                           outputs, operators or layers, and which\n"
    "                                           backends can run it\n"
    "\n"
    "The models directory is $TOONBOX_MODELS (default ~/.local/share/toonbox/models).\n"
    "Downloads go through $TOONBOX_MODELS_MIRROR when set (URL prefix + upstream host/path).\n";

// `models import` (and --bin, `models info`).
std::vector<ArgSpec> models_import_options() {
  return {{"--name", true, "", false, "NAME",
           "the name to install it under (default: the registry's, for a\nknown model; any other needs one)"},
          {"--force", false, "", false, "", "replace an installed model of that name"},
          {"--bin", true, "", false, "FILE",
           "ncnn weights, for import and info (default: X.bin beside X.param,\nor the only .bin in its folder)"},
          {"--layout", true, "", false, "nchw|nhwc", "the model's input/output layout (default: from the input shape)"},
          {"--channels", true, "", false, "rgb|bgr", "the model's channel order (default rgb)"},
          {"--range", true, "", false, "LO,HI",
           "the model's output value range (default: from the output op: Tanh\n-1,1, Sigmoid 0,1, Clip; else the command's: -1,1 for cartoonize\n"
           "and serve, 0,1 for run and inpaint)"},
          {"--input-range", true, "", false, "LO,HI", "the model's input value range (default: its output range)"},
          {"--multiple", true, "", false, "N",
           "pad H and W to a multiple of N (1..1024), cropped after (default:\nthe command's: 16, or 8 for inpaint and for a TF.js graph model in\ncartoonize and serve)"},
          {"--mask-convention", true, "", false, "C",
           "an inpainter's mask values: hole=V,known=V, lama or migan; records\nthe model as an inpainter"}};
}

std::vector<ArgSpec> models_download_options() {
  return {{"--from", true, "", false, "DIR",
           "take the model's files from DIR instead of its upstream URL (every\nsha256 still checked)"},
          {"--yes", false, "-y", false, "", "accept the licence without being asked (needed without a terminal)"},
          {"--timeout", true, "", false, "S", "seconds without data before giving up, 1..3600 (default 60)"},
          {kQuietFlag.name, false, kQuietFlag.short_name, false, "", "print only the licence (and errors)"},
          {kVerboseFlag.name, false, kVerboseFlag.short_name, false, "", "accepted, adds nothing (refused with -q)"}};
}

std::string usage() {
  return kSynopsis + std::string("\nimport:\n") + option_list(models_import_options()) + "\ndownload:\n" +
         option_list(models_download_options());
}

int list() {
  auto models = models::list_installed_models();
  if (!models.is_ok()) {
    std::fprintf(stderr, "toonbox models: %s\n", models.status().message().c_str());
    return kExitFailure;
  }
  std::printf("models directory: %s\n", models::models_dir().c_str());
  if (models->empty()) {
    std::printf("no models installed; `toonbox cartoonize` uses the built-in 'classic' style.\n"
                "install one with: toonbox models import PATH\n");
    return kExitOk;
  }
  for (const models::InstalledModel& m : *models) {
    std::printf("  %-16s %-5s %-13s %s%s\n    licence: %s\n", m.name.c_str(), m.format.c_str(),
                models::role_name(m.role), m.description.c_str(),
                m.known ? "" : " (not a known model: digests unverified)", m.licence.c_str());
  }
  std::printf("  %-16s %-5s %-13s %s\n", "classic", "-", "style", "built-in classic cartoon filter (always available)");
  return kExitOk;
}

int known() {
  for (const models::KnownModel& k : models::known_models()) {
    std::printf("%s (%s, %s)\n  %s\n  licence: %s\n  upstream: %s\n  contract: %s\n    from %s\n",
                k.name, k.format, models::role_name(k.role), k.description, k.licence, k.upstream,
                models::describe_contract(k.contract).c_str(), k.contract_source);
    for (const models::KnownFile& f : k.files) std::printf("  sha256 %s  %s\n", f.sha256, f.file);
    const models::ModelSource* source = models::find_model_source(k.name);
    if (!source || source->files.empty())
      std::printf("  download: not available (%s)\n", source ? source->no_download.c_str() : "no stable URL known");
    else
      for (const models::FileSource& f : source->files) std::printf("  url %s\n", f.url.c_str());
  }
  return kExitOk;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// Probe shape for the capability query: dynamic dims become 1 (batch), 3 (the channel
// dim of a 4-D image input whose layout cannot be told: NCHW assumed) or 256.
Shape probe_shape(const Shape& s) {
  Shape out = s;
  const bool image = s.size() == 4;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] >= 0) continue;
    if (d == 0) out[d] = 1;
    else if (image && d == 1 && s[3] < 0) out[d] = 3;
    else out[d] = 256;
  }
  return out;
}

void print_backend(const char* label, const backend::Backend& backend, const graph::Graph& g,
                   Precision p) {
  const auto problems = backend::unsupported_nodes(backend, g, p);
  if (problems.empty()) {
    std::printf("  %-12s yes\n", label);
    return;
  }
  std::printf("  %-12s no, %zu node(s):\n", label, problems.size());
  for (size_t i = 0; i < problems.size() && i < 12; ++i) std::printf("    %s\n", problems[i].c_str());
  if (problems.size() > 12) std::printf("    ... and %zu more\n", problems.size() - 12);
}

void print_onnx_details(const std::string& path) {
  auto inf = onnx_import::read_onnx_model_info(path);
  if (!inf.is_ok()) return;
  std::printf("  ONNX IR %lld, opset %d, producer %s, %lld initializers\n",
              static_cast<long long>(inf->ir_version), inf->opset,
              inf->producer.empty() ? "?" : inf->producer.c_str(),
              static_cast<long long>(inf->initializer_count));
  for (const auto* list : {&inf->inputs, &inf->outputs}) {
    std::printf("%s:\n", list == &inf->inputs ? "inputs" : "outputs");
    for (const auto& io : *list)
      std::printf("  %s %s [%s]\n", io.name.c_str(), io.type.c_str(), join(io.dims, ", ").c_str());
  }
  std::printf("operators:\n");
  for (const auto& [op, count] : inf->op_counts) std::printf("  %-24s %d\n", op.c_str(), count);
  if (!inf->unsupported.empty()) std::printf("not supported by toonbox: %s\n", join(inf->unsupported, ", ").c_str());
  for (const auto& note : inf->notes) std::printf("note: %s\n", note.c_str());
}

// An ncnn param's layers, read from the param alone (it may name layers toonbox lacks).
void print_ncnn_details(const std::string& path) {
  auto inf = ncnn::read_ncnn_model_info(path);
  if (!inf.is_ok()) return;
  const std::string names = inf->id_header.empty() ? "" : ", names from " + inf->id_header;
  std::printf("  ncnn %s param, %d layers, %d blobs%s\n", inf->binary ? "binary" : "text", inf->layer_count,
              inf->blob_count, names.c_str());
  std::printf("inputs:  %s\noutputs: %s\nlayers:\n", join(inf->inputs, ", ").c_str(), join(inf->outputs, ", ").c_str());
  for (const auto& [type, count] : inf->layer_counts) std::printf("  %-24s %d\n", type.c_str(), count);
  if (!inf->unsupported.empty()) std::printf("not supported by toonbox: %s\n", join(inf->unsupported, ", ").c_str());
}

// A TF.js layers model's Keras layers, read from model.json alone (it may use classes
// toonbox lacks).
void print_tfjs_layers_details(const std::string& path) {
  auto inf = tfjs::read_tfjs_layers_model_info(path);
  if (!inf.is_ok()) return;
  std::printf("  TF.js layers model (%s%s%s)\n", inf->model_class.c_str(), inf->keras_version.empty() ? "" : ", Keras ",
              inf->keras_version.c_str());
  std::printf("inputs:  %s\noutputs: %s\nlayers:\n", join(inf->inputs, ", ").c_str(), join(inf->outputs, ", ").c_str());
  for (const auto& [cls, count] : inf->class_counts) std::printf("  %-24s %d\n", cls.c_str(), count);
  if (!inf->unsupported.empty()) std::printf("not supported by toonbox: %s\n", join(inf->unsupported, ", ").c_str());
}

// Inputs, outputs and IR op counts of an imported graph (formats without a reader of
// their own, e.g. TF.js).
void print_graph_details(const graph::Graph& g) {
  for (const auto* list : {&g.inputs(), &g.outputs()}) {
    std::printf("%s:\n", list == &g.inputs() ? "inputs" : "outputs");
    for (int v : *list) std::printf("  %s %s\n", g.value(v).name.c_str(), shape_to_string(g.value(v).shape).c_str());
  }
  std::map<std::string, int> counts;
  for (const graph::Node& n : g.nodes()) ++counts[graph::op_kind_name(n.kind)];
  std::printf("operators (after import):\n");
  for (const auto& [op, count] : counts) std::printf("  %-24s %d\n", op.c_str(), count);
}

// Which backends can run `g`, checked at a probe shape.
void print_backends(const graph::Graph& g) {
  std::vector<Shape> shapes;
  std::string shown;
  for (int in : g.inputs()) {
    shapes.push_back(probe_shape(g.value(in).shape));
    shown += (shown.empty() ? "" : ", ") + shape_to_string(shapes.back());
  }
  auto spec_graph = compile::specialize(g, shapes);
  if (!spec_graph.is_ok()) {
    std::printf("backends: cannot specialize at %s: %s\n", shown.c_str(), spec_graph.status().message().c_str());
    return;
  }
  compile::rewrite_modulated_convs(*spec_graph);
  compile::lower_conv_transposes(*spec_graph);
  compile::fuse_conv_activation(*spec_graph);
  std::printf("backends (checked at input %s):\n", shown.c_str());
  print_backend("cpu fp32", *cpu::create_cpu_backend(), *spec_graph, Precision::kFloat32);
  const backend::CudaPluginLoad& plugin = backend::load_cuda_plugin();
  std::unique_ptr<backend::Backend> cuda;
  if (plugin.api) {
    auto b = plugin.api->create_backend(0);
    if (b.is_ok()) cuda = std::move(b).value();
  }
  if (cuda) {
    print_backend("cuda fp32", *cuda, *spec_graph, Precision::kFloat32);
    print_backend("cuda fp16", *cuda, *spec_graph, Precision::kFloat16);
  } else {
    std::printf("  %-12s unavailable here (%s)\n", "cuda", plugin.failure.empty() ? "no device" : plugin.failure.c_str());
  }
}


// The built-in style has no file: its graph is built in (pipeline/builtin_style.h).
int builtin_info() {
  std::printf("%s\n  built in: the classic cartoon filter (guided-filter smoothing, colour quantization, line art)\n"
              "  role: style\n  no weights, nothing to download; always available, cannot be removed\n"
              "  licence: toonbox's own (no third-party weights)\n"
              "contract: NHWC, RGB, range [-1,1], any size (the White-box convention; the graph is fixed)\n",
              models::kBuiltinStyleName);
  const graph::Graph graph = pipeline::build_classic_cartoon_graph();
  print_graph_details(graph);
  print_backends(graph);
  return kExitOk;
}

int info(const std::string& spec, const std::string& bin) {
  std::error_code exists_ec;
  if ((spec == models::kBuiltinStyleName || spec == "builtin") && !std::filesystem::exists(spec, exists_ec))
    return builtin_info();
  auto model = models::resolve_model(spec, bin);
  std::error_code ec;
  if (!model.is_ok() && ncnn::is_ncnn_param_path(spec) &&
      std::filesystem::is_regular_file(spec, ec) && ncnn::read_ncnn_model_info(spec).is_ok()) {
    // A param describes its layers without weights; the backends need them.
    std::printf("%s\n", spec.c_str());
    print_ncnn_details(spec);
    std::printf("weights: %s\n", model.status().message().c_str());
    return kExitOk;
  }
  if (!model.is_ok()) {
    std::fprintf(stderr, "toonbox models info: %s\n", model.status().message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n  file: %s (%s)\n", model->name.c_str(), model->entry_path.c_str(), model->format.c_str());
  if (!model->weights_path.empty()) std::printf("  weights: %s\n", model->weights_path.c_str());
  std::printf("  role: %s\n  %s\n  licence: %s\n", models::role_name(model->role),
              model->description.c_str(), model->licence.c_str());
  if (model->known) std::printf("  identified as '%s' by its digests\n", model->known->name);
  if (model->format == "onnx") print_onnx_details(model->entry_path);
  if (model->format == "ncnn") print_ncnn_details(model->entry_path);
  if (model->format == "tfjs-layers") print_tfjs_layers_details(model->entry_path);
  auto graph = import::import_model_file(model->file());
  if (!graph.is_ok()) {
    std::printf("import failed: %s\n", graph.status().message().c_str());
    return kExitFailure;
  }
  if (model->format == "tfjs" || model->format == "tfjs-layers") print_graph_details(*graph);
  std::string how;
  const models::ContractDefaults defaults = model->role == models::ModelRole::kInpainter
                                                ? models::inpainter_contract_defaults()
                                                : models::ContractDefaults{};
  auto contract = models::model_contract(*model, *graph, {}, defaults, &how);
  std::printf("contract: %s\n", contract.is_ok() ? how.c_str() : contract.status().message().c_str());
  print_backends(*graph);
  return kExitOk;
}

}  // namespace

// The options, also for `toonbox completion`.
std::vector<ArgSpec> models_options() {
  std::vector<ArgSpec> all = models_import_options();
  for (ArgSpec& s : models_download_options()) all.push_back(std::move(s));
  all.push_back({"--help", false, "-h"});
  return all;
}

int cmd_models(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, models_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox models: %s\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", usage().c_str());
    return kExitOk;
  }
  const std::string sub = a.positional.empty() ? "list" : a.positional[0];
  if (sub == "list" && a.positional.size() <= 1) return list();
  if (sub == "known" && a.positional.size() == 1) return known();
  if (sub == "info" && a.positional.size() == 2) return info(a.positional[1], a.get("--bin"));
  if (sub == "download" && a.positional.size() == 2) return models_download(a);
  if (sub == "remove" && a.positional.size() == 2) {
    const Status removed = models::remove_model(a.positional[1]);
    if (!removed.is_ok()) {
      std::fprintf(stderr, "toonbox models remove: %s\n", removed.message().c_str());
      return exit_code_for(removed);
    }
    std::printf("removed '%s' from %s\n", a.positional[1].c_str(), models::models_dir().c_str());
    return kExitOk;
  }
  if (sub == "import" && a.positional.size() == 2) {
    auto flags = parse_contract_flags(a);
    if (!flags.is_ok()) {
      std::fprintf(stderr, "toonbox models import: %s\n%s", flags.status().message().c_str(), usage().c_str());
      return kExitUsage;
    }
    auto m = models::import_model(
        a.positional[1],
        models::ImportOptions{a.get("--name"), a.has("--force"), flags.value(), a.get("--bin")});
    if (!m.is_ok()) {
      std::fprintf(stderr, "toonbox models import: %s\n", m.status().message().c_str());
      return exit_code_for(m.status());
    }
    std::printf("installed '%s' into %s%s\n  licence: %s\n", m->name.c_str(), m->dir.c_str(),
                m->known ? " (digests match the registry)" : "", m->licence.c_str());
    if (m->known_model)
      std::printf("  contract: %s\n", models::describe_contract(m->known_model->contract).c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "toonbox models: bad arguments\n%s", usage().c_str());
  return kExitUsage;
}

}  // namespace toonbox::cli
