// What a face-restoration model expects, recognised from the ONNX file itself: its inputs
// and outputs (an aligned face crop [N,3,S,S] in, the restored crop of the same shape out,
// and for CodeFormer a second input `weight`, the fidelity) and its file name (the names
// users' exports have: facefusion's `gfpgan_1.4.onnx`, `gpen_bfr_512.onnx`, ...). No
// weights exist here to take digests of, so a restorer is known by its interface, and the
// registry adds what the interface cannot say: the alignment template its authors crop
// with, its licence, and where both come from.
//
// Every restorer toonbox knows takes RGB NCHW in (x/255 - 0.5)/0.5 and returns [-1,1]
// (facexlib's img2tensor + normalize(0.5, 0.5) and tensor2img(min_max=(-1, 1)); facefusion's
// prepare_crop_frame / normalize_crop_frame), so that part of the contract is one value.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "graph/graph.h"
#include "models/model_contract.h"

namespace toonbox::models {

// The five-point template a face is aligned to (right eye, left eye, nose, right and left
// mouth corner, image coordinates of a crop of the model's size).
enum class FaceTemplate : uint8_t {
  kFfhq,        // FFHQ 512 (facexlib's face_template), scaled to the crop
  kArcFace128,  // facefusion's 'arcface_128': the ArcFace 112 points + 8 px, over 128
  kGpen,        // yangxy/GPEN face_enhancement.py: ArcFace 112 with 25% inner padding (168 px)
};

// "ffhq", "arcface128", "gpen".
const char* face_template_name(FaceTemplate t);
Result<FaceTemplate> parse_face_template(const std::string& s);

struct TemplatePoint {
  double x = 0, y = 0;
};
std::array<TemplatePoint, 5> face_template_points(FaceTemplate t, int crop_size);

struct KnownFaceRestorer {
  const char* name;  // "gfpgan-1.4"
  // File-name stems that identify it, lower case with everything but letters and digits
  // dropped ("gfpgan_1.4.onnx" and "GFPGANv1.4.onnx" -> "gfpgan14", "gfpganv14").
  std::vector<const char*> stems;
  const char* description;
  int size;
  FaceTemplate face_template;
  bool fidelity_input;  // CodeFormer's `weight`
  const char* licence;
  bool non_commercial;
  const char* upstream;
  const char* template_source;  // the line of the authors' code the template comes from
};

const std::vector<KnownFaceRestorer>& known_face_restorers();
const KnownFaceRestorer* find_known_face_restorer(const std::string& name);

// Command-line overrides for a restorer the registry does not know (or to try another
// template on one it does).
struct FaceRestoreOverrides {
  std::optional<FaceTemplate> face_template;
  std::optional<int> size;
};

// The model sizes toonbox aligns faces for: the restorers that exist are 256..2048; an
// unknown model must say one of these (or have it fixed in its input shape).
inline constexpr int kMinRestoreModelSize = 64;
inline constexpr int kMaxRestoreModelSize = 2048;

struct FaceRestoreContract {
  const KnownFaceRestorer* known = nullptr;  // null: recognised by its interface only
  std::string model;        // the registry name, or "unknown face restorer"
  int size = 0;             // the crop side S
  FaceTemplate face_template = FaceTemplate::kFfhq;
  std::string image_input;  // the [N,3,S,S] input's name
  std::string fidelity_input;  // "" when the model has none
  Shape fidelity_shape;     // its declared shape (unknown dims read as 1)
  std::string licence;
  bool non_commercial = false;
  ImageContract pixels;     // NCHW RGB, [-1,1] in and out, multiple 1
  std::string how;          // where each part came from, for the user
};

// The contract of `graph` (imported from `entry_path`) as a face restorer, or an error that
// says why it is not one (inputs, shapes) or what is missing (a dynamic size without
// --face-size). A file named like a known restorer must have that restorer's interface.
Result<FaceRestoreContract> face_restore_contract(const graph::Graph& graph,
                                                  const std::string& entry_path,
                                                  const FaceRestoreOverrides& overrides = {});

// The registry entry a file name stands for, or null.
const KnownFaceRestorer* face_restorer_by_file_name(const std::string& entry_path);

}  // namespace toonbox::models
