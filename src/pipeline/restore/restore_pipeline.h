// Face restoration (`toonbox restore`, `cartoonize --restore`, POST /api/v1/restore):
// detect faces -> five landmarks -> similarity onto the restorer's template -> S x S
// crops, many faces in one device call -> the restorer -> pasted back through the inverse
// map with facexlib's eroded, blurred mask (face_paste.h). The background is the input's
// own pixels (or, with --upscale N, the upscale task's result: cmd_restore attaches it).
// docs/restore.md.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/face_detector.h"
#include "engine/device_select.h"
#include "engine/session.h"
#include "pipeline/restore/restore_precision.h"
#include "models/face_restore_contract.h"

namespace toonbox::pipeline {

// Faces whose detected box is smaller than this (shorter side, input pixels) are not
// restored: the crop would blow up a dozen pixels 30x and the model invents a face
// rather than restoring one. (The Solvay 1927 photo's faces are 30-45 px and are kept.)
inline constexpr int kMinRestoreFace = 16;
// At most this many faces per image are restored (largest first); the rest are left.
inline constexpr int kMaxRestoreFaces = 128;
// Default crops per device call.
inline constexpr int kDefaultRestoreBatch = 8;

struct RestoreOptions {
  float fidelity = 0.5f;  // CodeFormer's w (0 quality .. 1 fidelity); ignored (noted) by others
  int upscale = 1;        // the output is the input times this (the background through the upscale task)
  bool faces_only = false;  // no face restored: the caller writes nothing (report.nothing_to_write)
  int min_face = kMinRestoreFace;
  float face_score = 0.8f;  // detections below this are not restored
  int batch = kDefaultRestoreBatch;
};

struct RestoredFace {
  detect::Face face;
  // "restored", "small", "low score", "over limit", "bad landmarks"
  std::string verdict;
};

struct RestoreReport {
  int faces = 0;          // restored and pasted
  int faces_skipped = 0;  // found but not restored
  std::vector<RestoredFace> detections;
  std::vector<std::string> notes;
  bool nothing_to_write = false;  // --faces-only and no face restored
  int device_calls = 0;
  int batch = 0;  // the most crops in one call
  double detect_ms = 0, restore_ms = 0, paste_ms = 0, total_ms = 0;
  double compile_ms = 0;  // of restore_ms: compiling the restorer for a new crop batch shape
};

using RestoreDetectFn = std::function<Result<std::vector<detect::Face>>(const image::Image&)>;
// The upscale task's background (input -> input x `scale`), when it is in the build.
using BackgroundUpscaleFn = std::function<Result<image::Image>(const image::Image&, int scale)>;

// A face restorer ready to run: its graph in a batching Session and its contract.
class FaceRestorer {
 public:
  FaceRestorer(std::string name, graph::Graph graph, models::FaceRestoreContract contract,
               const engine::DeviceSelection& device);

  const std::string& name() const { return name_; }
  const models::FaceRestoreContract& contract() const { return contract_; }
  // What it runs at (restore_precision.h: fp32 for code-lookup models asked for fp16).
  Precision precision() const { return session_.precision(); }
  // False once a batched run was refused (the model pins batch 1): faces then go one by one.
  bool can_batch() const { return batch_refused_.empty(); }

  // Runs `crops` ([N,3,S,S]) with the fidelity, N at once where the model allows a batch
  // (else one at a time, noted once). Returns the [N,3,S,S] restored crops; *calls counts
  // the device calls and *compile_ms adds the time spent compiling new shapes.
  Result<Tensor> run(const Tensor& crops, float fidelity, std::vector<std::string>* notes, int* calls,
                     double* compile_ms);

 private:
  Result<Tensor> run_once(const Tensor& crops, float fidelity, double* compile_ms);
  std::string name_;
  models::FaceRestoreContract contract_;
  RestorePrecision chosen_;  // its note goes with every run's notes
  engine::Session session_;
  std::string batch_refused_;
};

// The one installed face restorer's name; an error naming them when there are several
// (asking for `option`: "--model" on the command line, "the 'model' parameter" in the
// API), or saying how to install one when there is none.
Result<std::string> default_face_restorer_name(const std::string& option);

// Loads the restorer named or pointed to by `spec` (an installed name or an .onnx path);
// empty: the one installed face restorer (an error naming them when there are several).
Result<std::shared_ptr<FaceRestorer>> load_face_restorer(const std::string& spec,
                                                         const models::FaceRestoreOverrides& o,
                                                         const engine::DeviceSelection& device);

struct RestoreModels {
  std::shared_ptr<FaceRestorer> restorer;
  std::shared_ptr<detect::FaceDetector> detector;
  RestoreDetectFn detect_faces;  // when set, used instead of `detector` (tests)
  BackgroundUpscaleFn upscale;   // null: --upscale > 1 is refused, saying why
};

// The restorer and the installed face detector (YuNet, else RetinaFace), which restoring
// cannot do without.
Result<RestoreModels> load_restore_models(const std::string& spec,
                                          const models::FaceRestoreOverrides& o,
                                          const engine::DeviceSelection& device);

// Checks options that do not depend on the image (--upscale without the upscale task).
Status check_restore_options(const RestoreModels& models, const RestoreOptions& options);

class RestorePipeline {
 public:
  explicit RestorePipeline(RestoreModels models) : models_(std::move(models)) {}

  // One image; alpha is kept (upscaled with the image when --upscale). No face restored:
  // the input (or its upscaled background) with a note.
  Result<image::Image> process(const image::Image& input, const RestoreOptions& options,
                               RestoreReport* report = nullptr);

  const RestoreModels& models() const { return models_; }

 private:
  Result<std::vector<detect::Face>> choose_faces(const image::Image& input,
                                                 const RestoreOptions& options,
                                                 RestoreReport* report);
  RestoreModels models_;
};

}  // namespace toonbox::pipeline
