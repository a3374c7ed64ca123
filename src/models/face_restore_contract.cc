#include "models/face_restore_contract.h"

#include <cctype>
#include <filesystem>

namespace toonbox::models {

namespace {

// facexlib utils/face_restoration_helper.py: "standard 5 landmarks for FFHQ faces with
// 512 x 512", multiplied by face_size / 512 for other sizes.
constexpr std::array<TemplatePoint, 5> kFfhq512 = {{{192.98138, 239.94708},
                                                    {318.90277, 240.1936},
                                                    {256.63416, 314.01935},
                                                    {201.26117, 371.41043},
                                                    {313.08905, 371.15118}}};
// facefusion face_helper.py WARP_TEMPLATE_SET['arcface_128'] (fractions of the crop).
constexpr std::array<TemplatePoint, 5> kArcFace128 = {{{0.36167656, 0.40387734},
                                                       {0.63696719, 0.40235469},
                                                       {0.50019687, 0.56044219},
                                                       {0.38710391, 0.72160547},
                                                       {0.61507734, 0.72034453}}};
// yangxy/GPEN align_faces.py REFERENCE_FACIAL_POINTS (96x112) made square (+8 px in x:
// the ArcFace 112 points), then face_enhancement.py's inner_padding_factor 0.25 adds 28 px
// on every side (168 px), scaled to in_size.
constexpr std::array<TemplatePoint, 5> kArcFace112 = {{{38.29459953, 51.69630051},
                                                       {73.53179932, 51.50139999},
                                                       {56.02519989, 71.73660278},
                                                       {41.54930115, 92.3655014},
                                                       {70.72990036, 92.20410156}}};
constexpr double kGpenPadding = 28, kGpenSide = 168;

constexpr const char* kFfhqSource =
    "FFHQ 512 template: xinntao/facexlib utils/face_restoration_helper.py (face_template * face_size/512); "
    "facefusion face_enhancer 'ffhq_512'";
constexpr const char* kGpenSource =
    "yangxy/GPEN face_enhancement.py: get_reference_facial_points((in_size, in_size), inner_padding_factor=0.25, "
    "default_square=True) (facefusion crops GPEN with 'arcface_128' at 256 and 'ffhq_512' above: "
    "--face-template arcface128|ffhq to follow it)";

std::string normalised_stem(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string(), out;
  for (char c : stem)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Unknown dims (-1) of a declared shape read as 1: the fidelity is one number.
Shape concrete(const Shape& s) {
  Shape out = s;
  for (auto& d : out)
    if (d < 1) d = 1;
  return out;
}

}  // namespace

const char* face_template_name(FaceTemplate t) {
  switch (t) {
    case FaceTemplate::kFfhq: return "ffhq";
    case FaceTemplate::kArcFace128: return "arcface128";
    case FaceTemplate::kGpen: return "gpen";
  }
  return "?";
}

Result<FaceTemplate> parse_face_template(const std::string& s) {
  for (FaceTemplate t : {FaceTemplate::kFfhq, FaceTemplate::kArcFace128, FaceTemplate::kGpen})
    if (s == face_template_name(t)) return t;
  return invalid_argument("unknown face template '" + s.substr(0, 40) +
                          "': use ffhq (GFPGAN, CodeFormer, RestoreFormer++), gpen (GPEN's own) or arcface128");
}

std::array<TemplatePoint, 5> face_template_points(FaceTemplate t, int crop_size) {
  std::array<TemplatePoint, 5> p{};
  for (size_t i = 0; i < p.size(); ++i) {
    switch (t) {
      case FaceTemplate::kFfhq:
        p[i] = {kFfhq512[i].x * crop_size / 512.0, kFfhq512[i].y * crop_size / 512.0};
        break;
      case FaceTemplate::kArcFace128:
        p[i] = {kArcFace128[i].x * crop_size, kArcFace128[i].y * crop_size};
        break;
      case FaceTemplate::kGpen:
        p[i] = {(kArcFace112[i].x + kGpenPadding) * crop_size / kGpenSide,
                (kArcFace112[i].y + kGpenPadding) * crop_size / kGpenSide};
        break;
    }
  }
  return p;
}

const std::vector<KnownFaceRestorer>& known_face_restorers() {
  static const char* kGfpganUp = "https://github.com/TencentARC/GFPGAN (ONNX: facefusion models-3.0.0)";
  static const char* kGpenUp = "https://github.com/yangxy/GPEN (ONNX: facefusion models-3.0.0)";
  static const char* kGpenLicence = "GPEN: non-commercial use only (yangxy/GPEN; facefusion lists it as Non-Commercial)";
  static const std::vector<KnownFaceRestorer> models = {
      {"gfpgan-1.2", {"gfpgan12", "gfpganv12"}, "GFPGAN v1.2 (clean architecture) face restoration", 512,
       FaceTemplate::kFfhq, false, "Apache-2.0", false, kGfpganUp, kFfhqSource},
      {"gfpgan-1.3", {"gfpgan13", "gfpganv13"}, "GFPGAN v1.3 face restoration", 512, FaceTemplate::kFfhq, false,
       "Apache-2.0", false, kGfpganUp, kFfhqSource},
      {"gfpgan-1.4", {"gfpgan14", "gfpganv14"}, "GFPGAN v1.4 face restoration", 512, FaceTemplate::kFfhq, false,
       "Apache-2.0", false, kGfpganUp, kFfhqSource},
      {"gpen-bfr-256", {"gpenbfr256"}, "GPEN-BFR 256 blind face restoration", 256, FaceTemplate::kGpen, false,
       kGpenLicence, true, kGpenUp, kGpenSource},
      {"gpen-bfr-512", {"gpenbfr512"}, "GPEN-BFR 512 blind face restoration", 512, FaceTemplate::kGpen, false,
       kGpenLicence, true, kGpenUp, kGpenSource},
      {"gpen-bfr-1024", {"gpenbfr1024"}, "GPEN-BFR 1024 blind face restoration", 1024, FaceTemplate::kGpen, false,
       kGpenLicence, true, kGpenUp, kGpenSource},
      {"gpen-bfr-2048", {"gpenbfr2048"}, "GPEN-BFR 2048 blind face restoration", 2048, FaceTemplate::kGpen, false,
       kGpenLicence, true, kGpenUp, kGpenSource},
      {"codeformer", {"codeformer"}, "CodeFormer face restoration (fidelity weight w: --fidelity)", 512,
       FaceTemplate::kFfhq, true, "S-Lab License 1.0: non-commercial use only", true,
       "https://github.com/sczhou/CodeFormer (ONNX: facefusion models-3.0.0)", kFfhqSource},
      {"restoreformer-plus-plus", {"restoreformerplusplus", "restoreformerpp"},
       "RestoreFormer++ face restoration", 512, FaceTemplate::kFfhq, false, "Apache-2.0", false,
       "https://github.com/wzhouxiff/RestoreFormerPlusPlus (ONNX: facefusion models-3.0.0)", kFfhqSource},
  };
  return models;
}

const KnownFaceRestorer* find_known_face_restorer(const std::string& name) {
  for (const KnownFaceRestorer& k : known_face_restorers())
    if (name == k.name) return &k;
  return nullptr;
}

const KnownFaceRestorer* face_restorer_by_file_name(const std::string& entry_path) {
  const std::string stem = normalised_stem(entry_path);
  for (const KnownFaceRestorer& k : known_face_restorers())
    for (const char* s : k.stems)
      if (stem == s) return &k;
  return nullptr;
}

Result<FaceRestoreContract> face_restore_contract(const graph::Graph& g,
                                                  const std::string& entry_path,
                                                  const FaceRestoreOverrides& overrides) {
  const std::string file = std::filesystem::path(entry_path).filename().string();
  const auto fail = [&](const std::string& why) {
    return invalid_argument(file + " is not a face restorer toonbox can drive: " + why);
  };
  FaceRestoreContract c;
  int image = -1;
  for (int v : g.inputs()) {
    const graph::Value& in = g.value(v);
    if (in.shape.size() == 4) {
      if (image >= 0) return fail("two image inputs ('" + g.value(image).name + "', '" + in.name + "')");
      image = v;
      continue;
    }
    int64_t elements = 1;
    for (int64_t d : in.shape) elements *= d < 1 ? 1 : d;
    if (in.name != "weight" || elements != 1)
      return fail("input '" + in.name + "' " + shape_to_string(in.shape) +
                  " is neither the face [N,3,S,S] nor CodeFormer's one-number 'weight'");
    c.fidelity_input = in.name;
    c.fidelity_shape = concrete(in.shape);
  }
  if (image < 0) return fail("no [N,3,S,S] input");
  const graph::Value& in = g.value(image);
  c.image_input = in.name;
  if (in.shape[1] != 3 && in.shape[1] != -1)
    return fail("input '" + in.name + "' is " + shape_to_string(in.shape) + "; got " +
                std::to_string(in.shape[1]) + " channels, expected 3 (RGB, NCHW)");
  if (in.shape[0] > 1) return fail("input '" + in.name + "' has a fixed batch of " + std::to_string(in.shape[0]));
  if (g.outputs().empty()) return fail("no output");
  const Shape& out = g.value(g.outputs()[0]).shape;
  if (!out.empty() && out.size() != 4)
    return fail("output '" + g.value(g.outputs()[0]).name + "' is " + shape_to_string(out) +
                ", expected the restored face [N,3,S,S]");

  c.known = face_restorer_by_file_name(entry_path);
  const int64_t h = in.shape[2], w = in.shape[3];
  if (h > 0 && w > 0 && h != w)
    return fail("input '" + in.name + "' is " + shape_to_string(in.shape) + ": face crops are square");
  std::string size_how;
  if (overrides.size) {
    c.size = *overrides.size;
    size_how = "from --face-size";
    if (h > 0 && h != c.size)
      return invalid_argument(file + ": --face-size " + std::to_string(c.size) + " but its input '" + in.name +
                              "' is " + shape_to_string(in.shape));
  } else if (h > 0) {
    c.size = static_cast<int>(h);
    size_how = "from the input shape";
  } else if (c.known) {
    c.size = c.known->size;
    size_how = "the registry's";
  } else {
    return invalid_argument(file + ": input '" + in.name + "' is " + shape_to_string(in.shape) +
                            ": the face size is unknown; give it with --face-size N (" +
                            std::to_string(kMinRestoreModelSize) + ".." + std::to_string(kMaxRestoreModelSize) +
                            ", e.g. 512)");
  }
  if (c.size < kMinRestoreModelSize || c.size > kMaxRestoreModelSize)
    return invalid_argument(file + ": a face size of " + std::to_string(c.size) + " is not supported (got " +
                            std::to_string(c.size) + ", expected " + std::to_string(kMinRestoreModelSize) + ".." +
                            std::to_string(kMaxRestoreModelSize) + ")");
  if (c.known) {
    // A file named like a known restorer must be that restorer: its size and its inputs.
    if (c.size != c.known->size)
      return invalid_argument(file + " is named like " + c.known->name + " (" + std::to_string(c.known->size) +
                              " px faces) but its face size is " + std::to_string(c.size) + " (" + size_how + ")");
    if (c.known->fidelity_input != !c.fidelity_input.empty())
      return invalid_argument(file + " is named like " + c.known->name + ", which " +
                              (c.known->fidelity_input ? "has a 'weight' (fidelity) input; this file has none"
                                                       : "has one input; this file also has 'weight'"));
    c.model = c.known->name;
    c.face_template = c.known->face_template;
    c.licence = c.known->licence;
    c.non_commercial = c.known->non_commercial;
    c.how = std::string(c.known->name) + " (recognised by file name and interface); template " +
            face_template_name(c.face_template) + " (" + c.known->template_source + ")";
  } else {
    c.model = "unknown face restorer";
    c.face_template = FaceTemplate::kFfhq;
    c.licence = "unknown (check the model's source)";
    c.how = "unknown face restorer (its interface: " + shape_to_string(in.shape) +
            (c.fidelity_input.empty() ? "" : " + 'weight'") + "); template ffhq (the default: facexlib's for GFPGAN-"
            "class models; --face-template to change it)";
  }
  if (overrides.face_template && *overrides.face_template != c.face_template) {
    c.face_template = *overrides.face_template;
    c.how += "; template " + std::string(face_template_name(c.face_template)) + " from --face-template";
  }
  c.how += "; " + std::to_string(c.size) + " px faces " + size_how + "; RGB NCHW (x/255-0.5)/0.5 in, [-1,1] out";
  c.pixels.layout = graph::Layout::kNCHW;
  c.pixels.channels = ChannelOrder::kRgb;
  c.pixels.input_range = c.pixels.output_range = {-1.f, 1.f};
  c.pixels.size_multiple = 1;
  return c;
}

}  // namespace toonbox::models
