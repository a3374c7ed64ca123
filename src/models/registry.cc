#include "models/registry.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/sha256.h"
#include "import/model_file.h"
#include "import/ncnn/ncnn_importer.h"
#include "import/onnx/onnx_importer.h"
#include "models/face_restore_contract.h"
#include "import/tfjs/tfjs_importer.h"
#include "models/known_upscalerjs.h"
#include "models/test_registry.h"

namespace fs = std::filesystem;

namespace toonbox::models {

namespace {
constexpr const char* kManifestName = "toonbox-model.json";

// White-box: the authors' test_code/cartoonize.py reads with cv2.imread and writes with
// cv2.imwrite (BGR both ways, no conversion), maps x/127.5 - 1, and resize_crop()s the
// photo so its short side is at most 720 (INTER_AREA) and its sides multiples of 8.
ImageContract whitebox_contract() {
  ImageContract c;
  c.layout = graph::Layout::kNHWC;
  c.channels = ChannelOrder::kBgr;
  c.input_range = c.output_range = {-1.f, 1.f};
  c.size_multiple = 8;
  c.processing.max_short_side = 720;
  return c;
}
constexpr const char* kWhiteboxSource =
    "SystemErrorWang/White-box-Cartoonization test_code/cartoonize.py: cv2.imread/imwrite (BGR), "
    "x/127.5-1, resize_crop (short side <= 720, INTER_AREA, multiple of 8)";

// AnimeGANv3: deploy/test_by_onnx.py converts BGR -> RGB, maps x/127.5 - 1 and resizes
// each side to a multiple of 16 for the tiny models (at least 256); no upper cap.
ImageContract animegan_contract() {
  ImageContract c;
  c.layout = graph::Layout::kNHWC;
  c.channels = ChannelOrder::kRgb;
  c.input_range = c.output_range = {-1.f, 1.f};
  c.size_multiple = 16;
  c.processing.min_side = 256;
  return c;
}

// Face detectors: OpenCV's FaceDetectorYN feeds YuNet blobFromImage(BGR Mat) unscaled;
// biubug6/Pytorch_Retinaface detect.py feeds cv2.imread pixels minus (104, 117, 123).
// Their pre- and post-processing lives in src/detect.
ImageContract detector_contract(int multiple) {
  ImageContract c;
  c.layout = graph::Layout::kNCHW;
  c.channels = ChannelOrder::kBgr;
  c.input_range = {0.f, 255.f};
  c.output_range = {0.f, 1.f};
  c.size_multiple = multiple;
  return c;
}

// The ncnn upscalers (realesrgan-ncnn-vulkan, realcugan-ncnn-vulkan): RGB 0..1 in and out.
ImageContract upscaler_contract(int scale) {
  ImageContract c;
  c.layout = graph::Layout::kNCHW;
  c.channels = ChannelOrder::kRgb;
  c.input_range = c.output_range = {0.f, 1.f};
  c.size_multiple = 1;
  c.scale = scale;
  return c;
}

// realcugan-ncnn-vulkan (and upcunet_v3.py, tile_mode 0): reflect-pad by 18, odd sides
// padded (reflect) to even, the network returns 2 (in - 36).
ImageContract realcugan_2x_contract() {
  ImageContract c = upscaler_contract(2);
  c.size_multiple = 2;
  c.prepadding = 18;
  return c;
}

// ncnn-android-styletransfer: the ONNX zoo's TransformerNet, RGB 0..255 unnormalised; two
// stride-2 levels, so sides that are multiples of 4 come back unchanged.
ImageContract style_transfer_contract() {
  ImageContract c;
  c.layout = graph::Layout::kNCHW;
  c.channels = ChannelOrder::kRgb;
  c.input_range = c.output_range = {0.f, 255.f};
  c.size_multiple = 4;
  return c;
}
constexpr const char* kRealesrUpstream =
    "https://github.com/xinntao/Real-ESRGAN (ncnn files: github.com/upscayl/upscayl models/)";
constexpr const char* kRealesrSource =
    "realesrgan-ncnn-vulkan: RGB, pixel/255 in, floor(v*255+0.5) out; x2/x3 end in a bicubic Interp";
constexpr const char* kStyleUpstream =
    "https://github.com/pytorch/examples (fast_neural_style; ncnn files: github.com/nihui/ncnn-android-styletransfer)";
constexpr const char* kStyleSource = "ncnn-android-styletransfer: RGB 0..255 in and out (clamped when written)";

// LaMa as Carve/LaMa-ONNX exported it (big-lama, torch.onnx.export with Carve-Photos/lama's
// FourierUnit): inputs `image` [1,3,512,512] RGB 0..1 and `mask` [1,1,512,512], 1 = remove;
// output [1,3,512,512] RGB on 0..255 (the README's example casts it to uint8 unscaled).
ImageContract lama_contract() {
  ImageContract c;
  c.layout = graph::Layout::kNCHW;
  c.channels = ChannelOrder::kRgb;
  c.input_range = {0.f, 1.f};
  c.output_range = {0.f, 255.f};
  c.size_multiple = 8;
  c.mask.present = true;
  c.mask.hole_value = 1.f;
  c.mask.known_value = 0.f;
  return c;
}
constexpr const char* kLamaSource =
    "huggingface.co/Carve/LaMa-ONNX: image RGB /255 and mask 0/1 (1 = remove) at 512x512; output on 0..255 as "
    "its users read it (not checked here against a copy of the file)";

}  // namespace

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = {
      {"whitebox", "tfjs", "model.json",
       "White-box Cartoonization UNet generator + guided filter (float16 weights)",
       "CC BY-NC-SA 4.0 (non-commercial)",
       "https://github.com/SystemErrorWang/White-box-Cartoonization (TF.js conversion: "
       "github.com/kartikeyahl/white_box_cartoonization_js, web-float16/)",
       {{"model.json", "36db4238d36a3e8ffa5ed05e7724adf95014ef74a6835116f13f3512f5294ca5"},
        {"group1-shard1of1.bin", "bdb96816a60b505890ba818ec4a6dbc2fff7579790188db3947a018fcc211c25"}},
       ModelRole::kStyle, whitebox_contract(), kWhiteboxSource},
      {"whitebox-uint8", "tfjs", "model.json",
       "White-box Cartoonization UNet generator + guided filter (uint8-quantized weights)",
       "CC BY-NC-SA 4.0 (non-commercial)",
       "https://github.com/SystemErrorWang/White-box-Cartoonization (TF.js conversion: "
       "github.com/kartikeyahl/white_box_cartoonization_js, web-uint8/)",
       {{"model.json", "154e30da7536e67ea794683b43bcf228f96b2ca7c14ed8fd36bf61384b3b5831"},
        {"group1-shard1of1.bin", "ebf1e1d4f93e98580d906894c0b16d3d333be5e1683fd2ccaef1b01e5878a4ed"}},
       ModelRole::kStyle, whitebox_contract(), kWhiteboxSource},
      {"animeganv3-cute", "onnx", "AnimeGANv3_tiny_Cute.onnx",
       "AnimeGANv3 tiny, portrait to 'cute' cartoon style",
       "AnimeGANv3: non-commercial use only",
       "https://github.com/tuanmjnh/AnimeGANv3_Video (resources/); AnimeGANv3 by TachibanaYoshino",
       {{"AnimeGANv3_tiny_Cute.onnx", "3ef02d6b2939a0e81621abc5beb0e741bb58654570033cd0e97f6b6ef37c1171"}},
       ModelRole::kStyle, animegan_contract(),
       "TachibanaYoshino/AnimeGANv3 deploy/test_by_onnx.py: BGR->RGB, x/127.5-1, sides to a multiple of "
       "16 for tiny models, at least 256"},
      {"yunet", "onnx", "yunet_n_dynamic.onnx",
       "YuNet face detector: boxes + 5 landmarks (dynamic H and W)", "Apache-2.0",
       "https://github.com/ShiqiYu/libfacedetection.train (onnx/)",
       {{"yunet_n_dynamic.onnx", "104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12"}},
       ModelRole::kFaceDetector, detector_contract(32),
       "OpenCV FaceDetectorYN: blobFromImage of the BGR image, unscaled 0..255"},
      {"retinaface", "onnx", "detection_mobilenet0.25_Final.onnx",
       "RetinaFace MobileNet-0.25 face detector: boxes + 5 landmarks",
       "MIT (biubug6/Pytorch_Retinaface)",
       "https://github.com/TachibanaYoshino/AnimeGANv3_Portrait_Inference (core/model_core/)",
       {{"detection_mobilenet0.25_Final.onnx", "a0d9d990afa342c28b9b75a5927039999ef75451191b246d9333878643cf201b"}},
       ModelRole::kFaceDetector, detector_contract(1),
       "biubug6/Pytorch_Retinaface detect.py: cv2.imread (BGR) 0..255 minus the mean (104, 117, 123)"},
      {"realesr-animevideov3-x4", "ncnn", "realesr-animevideov3-x4.param",
       "Real-ESRGAN SRVGGNetCompact (animevideov3), 4x upscaler", "BSD-3-Clause", kRealesrUpstream,
       {{"realesr-animevideov3-x4.param", "850a248e7c14c27e5bd8cf7265113a9441036a7db63963bb8aa5169d788a435e"},
        {"realesr-animevideov3.bin", "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d"}},
       ModelRole::kImageModel, upscaler_contract(4), kRealesrSource},
      {"realesr-animevideov3-x3", "ncnn", "realesr-animevideov3-x3.param",
       "Real-ESRGAN SRVGGNetCompact (animevideov3), 3x upscaler (the 4x network, then bicubic 0.75)",
       "BSD-3-Clause", kRealesrUpstream,
       {{"realesr-animevideov3-x3.param", "d1a5755008791d09b57e3425fc9dd0bd26b00fdf79c606210bc0e693f8230881"},
        {"realesr-animevideov3.bin", "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d"}},
       ModelRole::kImageModel, upscaler_contract(3), kRealesrSource},
      {"realesr-animevideov3-x2", "ncnn", "realesr-animevideov3-x2.param",
       "Real-ESRGAN SRVGGNetCompact (animevideov3), 2x upscaler (the 4x network, then bicubic 0.5)",
       "BSD-3-Clause", kRealesrUpstream,
       {{"realesr-animevideov3-x2.param", "b88ff4f00ebf019a7fdac17fdd45a7fd3665d37509efc5baf2e4da2e24420a04"},
        {"realesr-animevideov3.bin", "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d"}},
       ModelRole::kImageModel, upscaler_contract(2), kRealesrSource},
      {"realcugan-2x-conservative", "ncnn", "up2x-conservative.param",
       "Real-CUGAN 2x (se, conservative); `upscale` adds its 18 px reflect prepadding (`run` does not)",
       "MIT", "https://github.com/bilibili/ailab (Real-CUGAN; ncnn files: github.com/nihui/realcugan-ncnn-vulkan)",
       {{"up2x-conservative.param", "4b3b5c5710ad1d00503c8243417aa75f13fe497723e8b4952e8b1abfc08f9b84"},
        {"up2x-conservative.bin", "91c72c136e7ff8556323d4449c5ceeff22d9829bf8463a01137cadb8d59b84a0"}},
       ModelRole::kImageModel, realcugan_2x_contract(),
       "realcugan-ncnn-vulkan: RGB 0..1, reflect-padded 18 px; the network returns 2 (in - 36)"},
      {"style-candy", "ncnn", "styletransfer.param.bin", "Fast neural style (TransformerNet), 'candy'",
       "BSD-3-Clause (pytorch/examples)", kStyleUpstream,
       {{"styletransfer.param.bin", "5e6962026ed0cede4012b7511f2cc411e5c4284e6d6d200fcc5683b952fad5f1"},
        {"styletransfer.param.id.h.txt", "1dbaeab4e200809c76435dc2fd7d651e486e4df1a7cc57449bfe995276ee0292"},
        {"candy.bin", "33cee36c21be4074eb580fdddebe19e02ffe572a2e302106d739796ea601161c"}},
       ModelRole::kStyle, style_transfer_contract(), kStyleSource},
      {"style-mosaic", "ncnn", "styletransfer.param.bin", "Fast neural style (TransformerNet), 'mosaic'",
       "BSD-3-Clause (pytorch/examples)", kStyleUpstream,
       {{"styletransfer.param.bin", "5e6962026ed0cede4012b7511f2cc411e5c4284e6d6d200fcc5683b952fad5f1"},
        {"styletransfer.param.id.h.txt", "1dbaeab4e200809c76435dc2fd7d651e486e4df1a7cc57449bfe995276ee0292"},
        {"mosaic.bin", "b743d9de15069e384dcc95fd2efde910086933a476442efa745cac4b6c529b33"}},
       ModelRole::kStyle, style_transfer_contract(), kStyleSource},
      {"lama", "onnx", "lama_fp32.onnx",
       "LaMa (big-lama) inpainting, fixed 512x512, FFT as MatMul (Carve/LaMa-ONNX lama_fp32.onnx)", "Apache-2.0",
       "https://github.com/advimman/lama (ONNX: huggingface.co/Carve/LaMa-ONNX)",
       {{"lama_fp32.onnx", "1faef5301d78db7dda502fe59966957ec4b79dd64e16f03ed96913c7a4eb68d6"}},
       ModelRole::kInpainter, lama_contract(), kLamaSource},
  };
  static const std::vector<KnownModel> all = [] {
    std::vector<KnownModel> v = models;
    for (KnownModel& k : upscalerjs_known_models()) v.push_back(std::move(k));
    // The download tests' generated models (a test hook); never one of the real names.
    for (const KnownModel& k : test_registry_known_models())
      if (std::none_of(v.begin(), v.end(), [&](const KnownModel& r) { return std::string(r.name) == k.name; }))
        v.push_back(k);
    return v;
  }();
  return all;
}

const KnownModel* find_known_model(const std::string& name) {
  for (const KnownModel& k : known_models())
    if (name == k.name) return &k;
  return nullptr;
}

std::string models_dir() {
  if (const char* env = std::getenv("TOONBOX_MODELS"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/toonbox/models";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/toonbox/models";
}

bool valid_model_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

bool is_reserved_model_name(const std::string& name) {
  return name == kBuiltinStyleName || name == "builtin" || name == "default";
}

namespace {

Result<ModelRole> parse_role(const std::string& s) {
  for (ModelRole r : {ModelRole::kStyle, ModelRole::kFaceDetector, ModelRole::kImageModel, ModelRole::kFaceRestorer,
                      ModelRole::kInpainter})
    if (s == role_name(r)) return r;
  return invalid_argument("unknown role '" + s.substr(0, 40) + "'");
}

nlohmann::json contract_to_json(const ContractOverrides& o) {
  nlohmann::json j = nlohmann::json::object();
  if (o.layout) j["layout"] = *o.layout == graph::Layout::kNHWC ? "nhwc" : "nchw";
  if (o.channels) j["channels"] = *o.channels == ChannelOrder::kBgr ? "bgr" : "rgb";
  if (o.input_range) j["input_range"] = {o.input_range->lo, o.input_range->hi};
  if (o.output_range) j["output_range"] = {o.output_range->lo, o.output_range->hi};
  if (o.size_multiple) j["size_multiple"] = *o.size_multiple;
  if (o.mask) j["mask"] = {{"hole", o.mask->hole_value}, {"known", o.mask->known_value}};
  return j;
}

Result<ValueRange> range_from_json(const nlohmann::json& j) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    return invalid_argument("a range is [LO, HI]");
  return parse_value_range(std::to_string(j[0].get<double>()) + "," + std::to_string(j[1].get<double>()));
}

Result<ContractOverrides> contract_from_json(const nlohmann::json& j) {
  ContractOverrides o;
  if (!j.is_object()) return invalid_argument("'contract' is not an object");
  if (j.contains("layout")) {
    if (!j["layout"].is_string()) return invalid_argument("'layout' is not a string");
    TB_ASSIGN_OR_RETURN(o.layout, parse_layout(j["layout"].get<std::string>()));
  }
  if (j.contains("channels")) {
    if (!j["channels"].is_string()) return invalid_argument("'channels' is not a string");
    TB_ASSIGN_OR_RETURN(o.channels, parse_channel_order(j["channels"].get<std::string>()));
  }
  if (j.contains("input_range")) {
    TB_ASSIGN_OR_RETURN(o.input_range, range_from_json(j["input_range"]));
  }
  if (j.contains("output_range")) {
    TB_ASSIGN_OR_RETURN(o.output_range, range_from_json(j["output_range"]));
  }
  if (j.contains("size_multiple")) {
    if (!j["size_multiple"].is_number_integer() || j["size_multiple"].get<int64_t>() < 1 ||
        j["size_multiple"].get<int64_t>() > 1024)
      return invalid_argument("'size_multiple' must be an integer 1..1024");
    o.size_multiple = j["size_multiple"].get<int>();
  }
  if (j.contains("mask")) {
    const auto& m = j["mask"];
    if (!m.is_object() || !m.contains("hole") || !m.contains("known") || !m["hole"].is_number() ||
        !m["known"].is_number())
      return invalid_argument("'mask' must be {\"hole\": V, \"known\": V}");
    TB_ASSIGN_OR_RETURN(o.mask, parse_mask_convention("hole=" + std::to_string(m["hole"].get<double>()) +
                                                      ",known=" + std::to_string(m["known"].get<double>())));
  }
  return o;
}

Result<InstalledModel> read_installed(const fs::path& dir) {
  const fs::path manifest = dir / kManifestName;
  std::ifstream f(manifest);
  if (!f) return not_found(manifest.string() + ": missing");
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return data_loss(manifest.string() + ": not valid JSON");
  InstalledModel m;
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  m.name = text("name");
  m.format = text("format");
  m.description = text("description");
  m.licence = text("licence");
  m.known = j.contains("known") && j["known"].is_boolean() && j["known"].get<bool>();
  const std::string entry = text("entry"), weights = text("weights");
  if (m.name.empty() || entry.empty() || entry.find('/') != std::string::npos || weights.find('/') != std::string::npos)
    return data_loss(manifest.string() + ": missing name or entry");
  if (m.format == "ncnn" && weights.empty()) return data_loss(manifest.string() + ": an ncnn model without weights");
  // The registry entry from the digests recorded at import, so a known model installed
  // under another name keeps its contract, and manifests written before roles and
  // contracts existed get them from the registry.
  if (m.known && j.contains("sha256") && j["sha256"].is_object()) {
    std::vector<std::pair<std::string, std::string>> digests;
    for (const auto& [rel, d] : j["sha256"].items())
      if (d.is_string()) digests.emplace_back(rel, d.get<std::string>());
    m.known_model = identify_known_model(digests, m.format);
  }
  if (m.known_model) m.role = m.known_model->role;
  if (!m.known_model && j.contains("role")) {
    auto role = parse_role(text("role"));
    if (!role.is_ok()) return data_loss(manifest.string() + ": " + role.status().message());
    m.role = role.value();
  }
  if (j.contains("contract")) {
    auto recorded = contract_from_json(j["contract"]);
    if (!recorded.is_ok()) return data_loss(manifest.string() + ": contract: " + recorded.status().message());
    m.recorded = recorded.value();
  }
  m.dir = dir.string();
  m.entry_path = (dir / entry).string();
  if (!weights.empty()) m.weights_path = (dir / weights).string();
  return m;
}

}  // namespace

Result<std::vector<InstalledModel>> list_installed_models() {
  std::vector<InstalledModel> out;
  std::error_code ec;
  const fs::path root = models_dir();
  if (!fs::exists(root, ec)) return out;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory() || entry.path().filename().string()[0] == '.') continue;
    auto m = read_installed(entry.path());
    if (m.is_ok()) out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<InstalledModel> find_installed_model(const std::string& name) {
  if (!valid_model_name(name)) return invalid_argument("'" + name + "' is not a valid model name");
  const fs::path dir = fs::path(models_dir()) / name;
  if (!fs::exists(dir / kManifestName)) {
    return not_found("model '" + name + "' is not installed in " + models_dir() +
                     " (install it with `toonbox models import PATH`)");
  }
  return read_installed(dir);
}

Result<std::vector<std::pair<std::string, std::string>>> model_files(
    const import::ModelFile& file) {
  const fs::path entry(file.entry);
  const std::string& format = file.format;
  std::vector<std::pair<std::string, std::string>> files;  // relative path, source
  files.emplace_back(entry.filename().string(), entry.string());
  if (format == "ncnn") {
    const std::string id_header = ncnn::find_ncnn_id_header(file.entry);
    if (!id_header.empty()) files.emplace_back(fs::path(id_header).filename().string(), id_header);
    files.emplace_back(fs::path(file.weights).filename().string(), file.weights);
  } else if (format == "onnx") {
    TB_ASSIGN_OR_RETURN(std::vector<std::string> external,
                        onnx_import::onnx_external_data_files(entry.string()));
    for (const std::string& rel : external)
      files.emplace_back(fs::path(rel).lexically_normal().string(), (entry.parent_path() / rel).string());
  } else {
    TB_ASSIGN_OR_RETURN(tfjs::TfjsModelFiles tfjs, tfjs::list_tfjs_model_files(entry.string()));
    files[0].second = tfjs.model_json;
    for (size_t i = 0; i < tfjs.shards.size(); ++i)
      files.emplace_back(fs::path(tfjs.shard_relative[i]).lexically_normal().string(), tfjs.shards[i]);
  }
  return files;
}

Result<std::vector<std::pair<std::string, std::string>>> file_digests(
    const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::pair<std::string, std::string>> digests;
  for (const auto& [rel, file] : files) {
    TB_ASSIGN_OR_RETURN(std::string d, sha256_file(file));
    digests.emplace_back(rel, d);
  }
  return digests;
}

const KnownModel* identify_known_model(const std::vector<std::pair<std::string, std::string>>& digests,
                                       const std::string& format) {
  for (const KnownModel& k : known_models()) {
    if (k.files.size() != digests.size() || format != k.format) continue;
    const bool all = std::all_of(k.files.begin(), k.files.end(), [&](const KnownFile& kf) {
      return std::any_of(digests.begin(), digests.end(),
                         [&](const auto& nd) { return nd.first == kf.file && nd.second == kf.sha256; });
    });
    if (all) return &k;
  }
  return nullptr;
}

Result<InstalledModel> import_model(const std::string& path, const ImportOptions& options) {
  // What is wrong with the files is data loss (the CLI exits 1, as for a bad image);
  // kInvalidArgument is kept for what the command line can fix (--name, --force: exit 2).
  auto bad_file = [](const Status& s) {
    return s.code() == StatusCode::kInvalidArgument ? Status(StatusCode::kDataLoss, s.message()) : s;
  };
  if (!options.name.empty() && is_reserved_model_name(options.name))
    return invalid_argument("'" + options.name +
                            "' is a built-in name and cannot be taken by an import; choose another --name");
  auto identified = import::identify_model_file(path, options.weights);
  if (!identified.is_ok()) return bad_file(identified.status());
  const import::ModelFile file = identified.value();
  // Importing validates every size, weight, shard and external-data path before a copy.
  auto graph = import::import_model_file(file);
  TB_RETURN_IF_ERROR(bad_file(graph.status()));
  // Face restorers have no digests here (no weights exist to take them of): they are
  // recognised by their interface and file name, and keep their role and licence.
  auto restorer = file.format == "onnx" ? face_restore_contract(graph.value(), file.entry)
                                        : Result<FaceRestoreContract>(invalid_argument("not ONNX"));
  auto listed = model_files(file);
  if (!listed.is_ok()) return bad_file(listed.status());
  const auto& files_rel = listed.value();
  TB_ASSIGN_OR_RETURN(auto digests, file_digests(files_rel));
  const KnownModel* known = identify_known_model(digests, file.format);
  const fs::path entry(file.entry);
  if (known && !options.contract.empty())
    return invalid_argument(entry.string() + " is '" + known->name + "', whose contract the registry records (" +
                            describe_contract(known->contract) +
                            "); to try another one, pass --channels to `toonbox cartoonize`");
  const std::string name = options.name.empty() && known ? known->name : options.name;
  if (name.empty()) {
    return invalid_argument(entry.string() + ": not a model toonbox knows by digest; give it a name with --name");
  }
  if (!valid_model_name(name)) return invalid_argument("'" + name + "' is not a valid model name (letters, digits, - _ .)");

  const fs::path root = models_dir();
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return unavailable(root.string() + ": cannot create: " + ec.message());
  const fs::path final_dir = root / name;
  if (fs::exists(final_dir) && !options.force)
    return invalid_argument("model '" + name + "' is already installed in " + final_dir.string() + " (use --force to replace it)");
  const fs::path tmp = root / (".import-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) return unavailable(tmp.string() + ": cannot create: " + ec.message());
  auto fail = [&](Status s) { fs::remove_all(tmp, ec); return s; };
  for (const auto& [rel, source] : files_rel) {
    fs::create_directories((tmp / rel).parent_path(), ec);
    fs::copy_file(source, tmp / rel, ec);
    if (ec) return fail(unavailable("copying " + source + ": " + ec.message()));
  }
  nlohmann::json jfiles = nlohmann::json::object();
  for (const auto& [rel, digest] : digests) jfiles[rel] = digest;
  const char* kind = file.format == "onnx"          ? "imported ONNX model"
                     : file.format == "ncnn"        ? "imported ncnn model"
                     : file.format == "tfjs-layers" ? "imported TF.js layers model"
                                                    : "imported TF.js graph model";
  nlohmann::json manifest = {
      {"name", name},
      {"format", file.format},
      {"entry", entry.filename().string()},
      {"known", known != nullptr},
      {"role", role_name(known ? known->role
                         : restorer.is_ok() ? ModelRole::kFaceRestorer
                         : options.contract.mask ? ModelRole::kInpainter
                                                 : ModelRole::kStyle)},
      {"description", known ? known->description
                      : restorer.is_ok() && restorer->known ? restorer->known->description
                      : restorer.is_ok() ? "imported face restorer" : kind},
      {"licence", known ? known->licence : restorer.is_ok() ? restorer->licence : "unknown (check the model's source)"},
      {"upstream", known ? known->upstream : restorer.is_ok() && restorer->known ? restorer->known->upstream : ""},
      {"source", fs::absolute(entry).string()},
      {"sha256", jfiles},
  };
  if (!options.contract.empty()) manifest["contract"] = contract_to_json(options.contract);
  if (!file.weights.empty()) manifest["weights"] = fs::path(file.weights).filename().string();
  {
    std::ofstream out(tmp / kManifestName);
    out << json_text(manifest, 2) << "\n";
    if (!out) return fail(unavailable((tmp / kManifestName).string() + ": write failed"));
  }
  if (fs::exists(final_dir)) {
    const fs::path old = root / (".old-" + name + "-" + std::to_string(getpid()));
    fs::rename(final_dir, old, ec);
    if (ec) return fail(unavailable("replacing " + final_dir.string() + ": " + ec.message()));
    fs::rename(tmp, final_dir, ec);
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, final_dir, ec);
  }
  if (ec) return fail(unavailable("installing into " + final_dir.string() + ": " + ec.message()));
  return read_installed(final_dir);
}

Status remove_model(const std::string& name) {
  if (is_reserved_model_name(name)) return invalid_argument("'" + name + "' is built in and cannot be removed");
  if (!valid_model_name(name)) return invalid_argument("'" + name + "' is not a model name (letters, digits, '-', '_', '.')");
  const fs::path root = models_dir();
  const fs::path dir = root / name;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return not_found("model '" + name + "' is not installed in " + root.string() + " (`toonbox models list` shows what is)");
  // Only a folder `models import` made (it has a manifest) is ever deleted.
  if (!fs::is_regular_file(dir / kManifestName, ec))
    return invalid_argument(dir.string() + " has no " + std::string(kManifestName) + ": not a model toonbox installed; left alone");
  // Renamed first, so a crash mid-delete never leaves a half-removed model under its name.
  const fs::path doomed = root / (".removing-" + name + "-" + std::to_string(getpid()));
  fs::rename(dir, doomed, ec);
  if (ec) return unavailable("removing " + dir.string() + ": " + ec.message());
  fs::remove_all(doomed, ec);
  if (ec) return unavailable("removed '" + name + "', but deleting " + doomed.string() + " failed: " + ec.message());
  return Status::ok();
}

}  // namespace toonbox::models
