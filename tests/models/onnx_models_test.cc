// Real ONNX models from the shared folder against ONNX Runtime (tests/oracles/ort_run.*)
// on real photos, through toonbox's CPU backend, CUDA fp32 and fp16 where a GPU is
// usable, and the reference kernels with fp16 storage emulated (RefFp16, which lets
// machines without a GPU exercise the fp16 criteria):
//   AnimeGANv3 tiny-Cute: PSNR >= 45 dB on the 8-bit scale ((y + 1) * 127.5); fp16
//   >= 35 dB (half storage of every activation).
//   YuNet and RetinaFace: the same decoding + NMS (src/detect) applied to ORT's raw
//   outputs and to ours. fp32: the same faces in the same order, boxes and landmarks
//   within 1 px, scores within 1e-3. fp16: the same faces (each matched by IoU >= 0.9,
//   equal counts), and every candidate box before NMS within 1% of its face's size of
//   ORT's box from the same anchor, scores within 1e-2. (Softmaxed scores near 1 tie in
//   half precision — 0.99951 for several anchors of one face — so NMS may keep a
//   neighbouring anchor's box; the anchor-wise check measures the arithmetic instead.)
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "detect/face_decode.h"
#include "detect/face_detector.h"
#include "engine/session.h"
#include "import/onnx/onnx_importer.h"
#include "models/photo_util.h"
#include "ops/reference.h"
#include "unit/ort_oracle.h"
#include "unit/test_util.h"

using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

struct Skip {
  std::string why;
};

std::string missing(const fs::path& p) {
  if (std::string r = test::ort_unavailable_reason(); !r.empty()) return r;
  if (!fs::exists(p)) return p.string() + " not found";
  return "";
}

fs::path work_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("toonbox_onnx_models_" + std::to_string(::getpid())) / name;
  fs::create_directories(d);
  return d;
}

double psnr_8bit(const Tensor& a, const Tensor& b) {
  double se = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = (a.data<float>()[i] - b.data<float>()[i]) * 127.5;
    se += d * d;
  }
  const double mse = se / static_cast<double>(a.numel());
  return mse == 0 ? 200.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

struct BackendParam {
  const char* name;  // Cpu, CudaFp32, CudaFp16, RefFp16 (reference, fp16 storage emulated)
  Precision precision;
};
void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.name; }

bool is_reference(const BackendParam& p) { return std::string(p.name) == "RefFp16"; }

std::shared_ptr<Backend> backend_for(const BackendParam& p, std::string* skip) {
  if (std::string(p.name) == "Cpu" || is_reference(p)) return cpu::create_cpu_backend();
  return test::cuda_backend(skip);
}

// A backend through a Session, or the reference kernels with fp16 storage emulated.
class Runner {
 public:
  Runner(Graph graph, std::shared_ptr<Backend> backend, const BackendParam& p)
      : reference_(is_reference(p)),
        graph_(graph),
        session_(std::move(graph), std::move(backend), p.precision) {}
  Result<std::vector<Tensor>> run(const Tensor& input) {
    if (!reference_) return session_.run({input});
    TB_ASSIGN_OR_RETURN(Graph g, specialize(graph_, {input.shape()}));
    Tensor half = input.clone();
    for (int64_t i = 0; i < half.numel(); ++i)
      half.data<float>()[i] = round_to_half(half.data<float>()[i]);
    ReferenceOptions o;
    o.emulate_fp16_storage = true;
    return reference_run(g, {half}, o);
  }

 private:
  bool reference_;
  Graph graph_;
  Session session_;
};

class OnnxModels : public ::testing::TestWithParam<BackendParam> {};

TEST_P(OnnxModels, AnimeGanV3CuteMatchesOnnxRuntime) {
  const fs::path model =
      test::shared_dir() / "models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx";
  if (std::string why = missing(model); !why.empty()) GTEST_SKIP() << why;
  std::string skip;
  auto backend = backend_for(GetParam(), &skip);
  if (!backend) GTEST_SKIP() << skip;
  const bool fp16 = GetParam().precision == Precision::kFloat16;
  auto graph = onnx_import::import_onnx_model(model.string());
  ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
  Runner session(std::move(graph).value(), backend, GetParam());
  for (const char* photo : {"wb_actress2.jpg", "wb_liuyifei4.jpg", "wb_party5.jpg"}) {
    const test::RgbImage img = test::read_jpeg(test::shared_dir() / "images" / photo);
    ASSERT_GT(img.width, 0) << photo;
    const Tensor input = test::photo_to_input(img, 384, 16);
    auto want = test::run_ort(model, {{"AnimeGANv3_input:0", input}}, work_dir(photo));
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    auto got = session.run(input);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_EQ((*got)[0].shape(), (*want)[0].shape());
    const double psnr = psnr_8bit((*got)[0], (*want)[0]);
    std::printf("[ measure ] AnimeGANv3 tiny-Cute %s %s %s: PSNR vs ONNX Runtime %.2f dB\n",
                GetParam().name, photo, shape_to_string(input.shape()).c_str(), psnr);
    EXPECT_GE(psnr, fp16 ? 35.0 : 45.0) << photo;
  }
}

double face_difference(const detect::Face& g, const detect::Face& w) {
  double d = std::max(
      {std::abs(g.x1 - w.x1), std::abs(g.y1 - w.y1), std::abs(g.x2 - w.x2), std::abs(g.y2 - w.y2)});
  for (int k = 0; k < 10; ++k) d = std::max<double>(d, std::abs(g.landmarks[k] - w.landmarks[k]));
  return d;
}
double face_size(const detect::Face& f) { return std::max(f.x2 - f.x1, f.y2 - f.y1); }

// fp32: the same faces, in order, within 1 px.
void expect_same_faces(const std::vector<detect::Face>& got, const std::vector<detect::Face>& want,
                       const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, face_difference(got[i], want[i]));
    EXPECT_NEAR(got[i].score, want[i].score, 1e-3) << what << " face " << i;
  }
  std::printf("[ measure ] %s: %zu faces, largest box/landmark difference %.4f px\n", what.c_str(),
              got.size(), worst);
  EXPECT_LE(worst, 1.0) << what;
}

// fp16: the same faces by IoU; candidates compared anchor by anchor before NMS.
void expect_same_faces_fp16(const std::vector<detect::Face>& got,
                            const std::vector<detect::Face>& want,
                            const std::vector<detect::Face>& got_all,
                            const std::vector<detect::Face>& want_all, float threshold,
                            const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst_iou = 1;
  for (const auto& w : want) {
    double best = 0;
    for (const auto& g : got) best = std::max<double>(best, detect::iou(g, w));
    worst_iou = std::min(worst_iou, best);
  }
  EXPECT_GE(worst_iou, 0.9) << what;
  std::map<int, const detect::Face*> ours;
  for (const auto& g : got_all) ours[g.anchor] = &g;
  double worst_rel = 0, worst_px = 0;
  int compared = 0;
  for (const auto& w : want_all) {
    auto it = ours.find(w.anchor);
    if (it == ours.end()) {
      EXPECT_LT(w.score, threshold + 0.02f) << what << ": anchor " << w.anchor << " missing";
      continue;
    }
    ++compared;
    const double d = face_difference(*it->second, w);
    worst_px = std::max(worst_px, d);
    worst_rel = std::max(worst_rel, d / std::max(1.0, face_size(w)));
    EXPECT_NEAR(it->second->score, w.score, 1e-2) << what << " anchor " << w.anchor;
  }
  std::printf(
      "[ measure ] %s: %zu faces (min IoU with ORT's %.3f); %d candidates before NMS, largest "
      "box/landmark difference %.4f px (%.3f%% of the face)\n",
      what.c_str(), got.size(), worst_iou, compared, worst_px, 100 * worst_rel);
  EXPECT_LE(worst_rel, 0.01) << what;
}

struct DetectorCase {
  const char* name;
  const char* file;
  const char* input;
};

void run_detector(const DetectorCase& c, const BackendParam& param) {
  const fs::path model = test::shared_dir() / "models" / c.file;
  if (std::string why = missing(model); !why.empty()) GTEST_SKIP() << why;
  std::string skip;
  auto backend = backend_for(param, &skip);
  if (!backend) GTEST_SKIP() << skip;
  const bool fp16 = param.precision == Precision::kFloat16;
  auto graph = onnx_import::import_onnx_model(model.string());
  ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
  Runner session(std::move(graph).value(), backend, param);
  const bool yunet = std::string(c.name) == "YuNet";
  int total = 0;
  for (const char* photo :
       {"wb_actress2.jpg", "wb_party5.jpg", "wb_party7.jpg", "gfpgan_Blake_Lively.jpg"}) {
    test::RgbImage img = test::read_jpeg(test::shared_dir() / "images" / photo);
    ASSERT_GT(img.width, 0) << photo;
    // Detectors run at about 640 px on the long side, as their demos do.
    const Tensor small = test::photo_to_input(img, 640, 1);
    const int w = static_cast<int>(small.dim(2)), h = static_cast<int>(small.dim(1));
    std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < rgb.size(); ++i)
      rgb[i] = static_cast<uint8_t>(
          std::lround(std::clamp((small.data<float>()[i] + 1.f) * 127.5f, 0.f, 255.f)));
    const Tensor input =
        yunet ? detect::yunet_input(rgb.data(), w, h) : detect::retinaface_input(rgb.data(), w, h);
    auto want = test::run_ort(model, {{c.input, input}}, work_dir(std::string(c.name) + photo));
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    auto got = session.run(input);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    detect::DecodeOptions opt;
    opt.score_threshold = yunet ? 0.6f : 0.5f;
    opt.nms_iou = yunet ? 0.3f : 0.4f;
    const int iw = static_cast<int>(input.dim(3)), ih = static_cast<int>(input.dim(2));
    auto decode = [&](const std::vector<Tensor>& out) {
      return yunet ? detect::decode_yunet(out, iw, ih, opt)
                   : detect::decode_retinaface(out, iw, ih, opt);
    };
    auto faces_want = decode(*want);
    auto faces_got = decode(*got);
    ASSERT_TRUE(faces_want.is_ok()) << faces_want.status().to_string();
    ASSERT_TRUE(faces_got.is_ok()) << faces_got.status().to_string();
    const std::string what = std::string(c.name) + " " + param.name + " " + photo;
    if (fp16) {
      opt.nms = false;
      auto all_want = decode(*want);
      auto all_got = decode(*got);
      ASSERT_TRUE(all_want.is_ok() && all_got.is_ok());
      expect_same_faces_fp16(*faces_got, *faces_want, *all_got, *all_want, opt.score_threshold,
                             what);
    } else {
      expect_same_faces(*faces_got, *faces_want, what);
    }
    total += static_cast<int>(faces_want->size());
  }
  EXPECT_GT(total, 0) << "no faces found in any photo: the comparison would be empty";
}

TEST_P(OnnxModels, YuNetDetectionsMatchOnnxRuntime) {
  run_detector({"YuNet", "yunet/yunet_n_dynamic.onnx", "input"}, GetParam());
}

TEST_P(OnnxModels, RetinaFaceDetectionsMatchOnnxRuntime) {
  run_detector({"RetinaFace", "retinaface-mnet025/detection_mobilenet0.25_Final.onnx", "input0"},
               GetParam());
}

// The FaceDetector API on full-size photos: faces in the photo's pixel coordinates.
TEST(FaceDetectorApi, FindsFacesInImageCoordinates) {
  for (auto [model_kind, file] :
       {std::pair{detect::FaceModel::kYuNet, "yunet/yunet_n_dynamic.onnx"},
        std::pair{detect::FaceModel::kRetinaFace,
                  "retinaface-mnet025/detection_mobilenet0.25_Final.onnx"}}) {
    const fs::path model = test::shared_dir() / "models" / file;
    if (!fs::exists(model)) GTEST_SKIP() << model << " not found";
    auto graph = onnx_import::import_onnx_model(model.string());
    ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
    detect::FaceDetector detector(model_kind, std::move(graph).value(), cpu::create_cpu_backend(),
                                  Precision::kFloat32);
    const test::RgbImage photo = test::read_jpeg(test::shared_dir() / "images/wb_party7.jpg");
    ASSERT_GT(photo.width, 0);
    Image img;
    img.width = photo.width;
    img.height = photo.height;
    img.rgb = photo.rgb;
    auto faces = detector.detect(img);
    ASSERT_TRUE(faces.is_ok()) << faces.status().to_string();
    std::printf("[ measure ] FaceDetector %s on wb_party7.jpg (%dx%d): %zu faces\n", file,
                img.width, img.height, faces->size());
    EXPECT_GE(faces->size(), 3u) << file;
    for (const auto& f : *faces) {
      EXPECT_GT(f.x2 - f.x1, 8.f);
      EXPECT_GE(f.x2, 0.f);
      EXPECT_LE(f.x1, static_cast<float>(img.width));
      EXPECT_LE(f.y1, static_cast<float>(img.height));
      // The nose lies in the box, give or take a margin (a profile's nose is at its edge).
      const float mx = 0.1f * (f.x2 - f.x1), my = 0.1f * (f.y2 - f.y1);
      const float nose_x = f.landmarks[4], nose_y = f.landmarks[5];
      EXPECT_TRUE(nose_x > f.x1 - mx && nose_x < f.x2 + mx && nose_y > f.y1 - my &&
                  nose_y < f.y2 + my)
          << file << ": box " << f.x1 << "," << f.y1 << " " << f.x2 << "," << f.y2 << " nose "
          << nose_x << "," << nose_y;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, OnnxModels,
                         ::testing::Values(BackendParam{"Cpu", Precision::kFloat32},
                                           BackendParam{"CudaFp32", Precision::kFloat32},
                                           BackendParam{"CudaFp16", Precision::kFloat16},
                                           BackendParam{"RefFp16", Precision::kFloat16}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace toonbox
