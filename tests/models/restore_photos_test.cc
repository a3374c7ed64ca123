// The paste-back test of face restoration (issue 17) on real photos: the shared YuNet finds
// the faces, and stand-in restorers with GFPGAN's interface (tests/oracles/
// make_face_restorer.py, written with python3-onnx at test time) go through the whole
// pipeline on the CPU (or $TOONBOX_TEST_DEVICE):
//   - identity: the photo must come back, >= 40 dB overall and >= 40 dB in the band where
//     the mask fades (a seam or a box would show there first);
//   - colour shift: every pixel must be the mask's blend of the shifted crop and the photo
//     (so the region, the warp's direction and the blend are all checked), untouched
//     outside every mask.
// TOONBOX_RESTORE_SHEETS=DIR writes before/after sheets with the faces marked (not CI).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "engine/device_select.h"
#include "image/image_io.h"
#include "models/photo_util.h"
#include "models/registry.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/restore/face_paste.h"
#include "pipeline/restore/restore_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

struct Setup {
  std::string skip, error;
  fs::path dir;
  std::shared_ptr<detect::FaceDetector> detector;
  DeviceSelection device;
  std::string identity, shift;
};

// python3 with onnx: the Debian one (the PATH one may be another installation).
std::string python_with_onnx() {
  for (const char* py : {"/usr/bin/python3", "python3"})
    if (std::system((std::string(py) + " -c 'import onnx' >/dev/null 2>&1").c_str()) == 0) return py;
  return "";
}

Setup& setup() {
  static Setup s = [] {
    Setup s;
    const fs::path shared = test::shared_dir();
    const fs::path yunet = shared / "models/yunet/yunet_n_dynamic.onnx";
    if (!fs::exists(yunet)) {
      s.skip = yunet.string() + " not found (set TOONBOX_SHARED_DIR to the shared folder)";
      return s;
    }
    const std::string py = python_with_onnx();
    if (py.empty()) {
      s.skip = "python3-onnx is not installed (apt-get install python3-onnx)";
      return s;
    }
    s.dir = fs::temp_directory_path() / ("toonbox_restore_photos_" + std::to_string(::getpid()));
    fs::remove_all(s.dir);
    fs::create_directories(s.dir / "models");
    ::setenv("TOONBOX_MODELS", (s.dir / "models").c_str(), 1);
    auto installed = import_model(yunet.string(), ImportOptions{"yunet", false, {}});
    if (!installed.is_ok()) {
      s.error = "importing YuNet: " + installed.status().to_string();
      return s;
    }
    const std::string script = std::string(TOONBOX_SOURCE_DIR) + "/tests/oracles/make_face_restorer.py";
    s.identity = (s.dir / "identity.onnx").string();
    s.shift = (s.dir / "shift.onnx").string();
    for (auto [kind, path] : {std::pair{"identity", s.identity}, std::pair{"shift", s.shift}})
      if (std::system((py + " " + script + " " + kind + " " + path).c_str()) != 0) {
        s.error = "make_face_restorer.py " + std::string(kind) + " failed";
        return s;
      }
    const char* dev = std::getenv("TOONBOX_TEST_DEVICE");
    auto device = select_device(dev ? dev : "cpu", "fp32");
    if (!device.is_ok()) {
      s.skip = "device: " + device.status().to_string();
      return s;
    }
    s.device = device.value();
    auto detector = load_installed_face_detector(s.device);
    if (!detector.is_ok()) {
      s.error = detector.status().to_string();
      return s;
    }
    s.detector = detector.value();
    return s;
  }();
  return s;
}

#define RESTORE_SETUP_OR_SKIP()                       \
  do {                                                \
    if (!setup().skip.empty()) GTEST_SKIP() << setup().skip; \
    ASSERT_TRUE(setup().error.empty()) << setup().error;     \
  } while (0)

struct PhotoRun {
  Image input, output;
  RestoreReport report;
  std::vector<PasteMask> masks;  // of the restored faces
};

PhotoRun restore_photo(const std::string& model, const std::string& photo) {
  PhotoRun r;
  auto input = read_image_file((test::shared_dir() / "images" / photo).string(), DecodeOptions{});
  EXPECT_TRUE(input.is_ok()) << input.status().to_string();
  if (!input.is_ok()) return r;
  r.input = std::move(input).value();
  RestoreModels m;
  auto restorer = load_face_restorer(model, {}, setup().device);
  EXPECT_TRUE(restorer.is_ok()) << restorer.status().to_string();
  if (!restorer.is_ok()) return r;
  m.restorer = restorer.value();
  m.detector = setup().detector;
  RestorePipeline p(std::move(m));
  auto out = p.process(r.input, {}, &r.report);
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  if (!out.is_ok()) return r;
  r.output = std::move(out).value();
  for (const RestoredFace& d : r.report.detections) {
    if (d.verdict != "restored") continue;
    auto t = restore_alignment(d.face, FaceTemplate::kFfhq, 512);
    EXPECT_TRUE(t.is_ok());
    r.masks.push_back(face_paste_mask(r.input.width, r.input.height, t.value(), 512));
  }
  return r;
}

double psnr_of(double se, double n) { return se == 0 ? 200 : 10 * std::log10(255.0 * 255.0 * n / se); }

// Before | after, with each restored face's crop square outlined in the after half.
void write_sheet(const PhotoRun& r, const std::string& name) {
  const char* dir = std::getenv("TOONBOX_RESTORE_SHEETS");
  if (!dir || !*dir) return;
  Image sheet;
  sheet.width = r.input.width * 2;
  sheet.height = r.input.height;
  sheet.rgb.assign(static_cast<size_t>(sheet.width) * sheet.height * 3, 0);
  for (int y = 0; y < r.input.height; ++y)
    for (int x = 0; x < r.input.width; ++x)
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * r.input.width + x) * 3 + c;
        sheet.rgb[(static_cast<size_t>(y) * sheet.width + x) * 3 + c] = r.input.rgb[i];
        sheet.rgb[(static_cast<size_t>(y) * sheet.width + r.input.width + x) * 3 + c] = r.output.rgb[i];
      }
  for (const PasteMask& m : r.masks)  // the mask's 50% contour, in yellow
    for (int y = m.y0; y < m.y0 + m.height; ++y)
      for (int x = m.x0; x < m.x0 + m.width; ++x)
        if (m.at(x, y) >= 0.5f && (m.at(x - 1, y) < 0.5f || m.at(x, y - 1) < 0.5f)) {
          uint8_t* p = &sheet.rgb[(static_cast<size_t>(y) * sheet.width + r.input.width + x) * 3];
          p[0] = 255, p[1] = 230, p[2] = 0;
        }
  fs::create_directories(dir);
  EXPECT_TRUE(write_image_file(std::string(dir) + "/" + name + ".png", sheet).is_ok());
}

class RestorePhotos : public ::testing::TestWithParam<const char*> {};

TEST_P(RestorePhotos, IdentityRestorerGivesThePhotoBackWithoutASeam) {
  RESTORE_SETUP_OR_SKIP();
  PhotoRun r = restore_photo(setup().identity, GetParam());
  ASSERT_GT(r.report.faces, 0) << GetParam() << ": no face restored";
  ASSERT_EQ(r.output.rgb.size(), r.input.rgb.size());
  double se = 0, band_se = 0, band_n = 0, inside_se = 0, inside_n = 0;
  for (int y = 0; y < r.input.height; ++y)
    for (int x = 0; x < r.input.width; ++x) {
      float w = 0;
      for (const PasteMask& m : r.masks) w = std::max(w, m.at(x, y));
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * r.input.width + x) * 3 + c;
        const double d = double(r.output.rgb[i]) - r.input.rgb[i];
        se += d * d;
        if (w > 0.02f && w < 0.98f) band_se += d * d, band_n += 1;
        if (w >= 0.98f) inside_se += d * d, inside_n += 1;
      }
    }
  const double all = psnr_of(se, r.input.rgb.size()), band = psnr_of(band_se, band_n),
               inside = psnr_of(inside_se, inside_n);
  std::printf("[ measure ] %s %dx%d: %d faces (%d skipped), %d device calls; identity PSNR %.1f dB overall, "
              "%.1f dB in the mask's fade band (%.0f values), %.1f dB inside the faces\n",
              GetParam(), r.input.width, r.input.height, r.report.faces, r.report.faces_skipped,
              r.report.device_calls, all, band, band_n, inside);
  EXPECT_GE(all, 40.0);
  EXPECT_GT(band_n, 0);
  EXPECT_GE(band, 40.0) << "a seam along the mask";
}

TEST_P(RestorePhotos, ColourShiftIsPastedExactlyWhereTheMaskSays) {
  RESTORE_SETUP_OR_SKIP();
  PhotoRun r = restore_photo(setup().shift, GetParam());
  ASSERT_GT(r.report.faces, 0);
  write_sheet(r, std::string("shift_") + fs::path(GetParam()).stem().string());
  // Pixels under exactly one face's mask: out = w * clip(in + shift) + (1 - w) * in, the
  // shift being +0.3 / 0 / -0.3 in [-1,1] (+38.25 / 0 / -38.25 levels).
  const double shift[3] = {38.25, 0, -38.25};
  double err_sum = 0, n = 0, shifted = 0, untouched_bad = 0;
  for (int y = 0; y < r.input.height; ++y)
    for (int x = 0; x < r.input.width; ++x) {
      int covering = 0;
      float w = 0;
      for (const PasteMask& m : r.masks)
        if (m.at(x, y) > 0.f) ++covering, w = m.at(x, y);
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * r.input.width + x) * 3 + c;
        if (covering == 0) {
          untouched_bad += r.output.rgb[i] != r.input.rgb[i];
          continue;
        }
        if (covering > 1) continue;
        const double in = r.input.rgb[i];
        const double want = w * std::clamp(in + shift[c], 0.0, 255.0) + (1 - w) * in;
        err_sum += std::abs(r.output.rgb[i] - want);
        n += 1;
        if (c == 0 && w > 0.99f) shifted += r.output.rgb[i] - in;
      }
    }
  std::printf("[ measure ] %s: colour shift, mean |out - expected blend| %.2f levels over %.0f values\n", GetParam(),
              err_sum / n, n);
  EXPECT_EQ(untouched_bad, 0) << "pixels outside every mask changed";
  // No seam: each mask fades as facexlib's blur does (a hard edge would step by 1): at most
  // 1.25x the steepest slope of the Gaussian, 1 / (sigma·sqrt(2 pi)), sigma from its kernel.
  for (const PasteMask& m : r.masks) {
    const double sigma = 0.3 * (m.edge - 1) + 0.8;
    const float max_step = static_cast<float>(1.25 / (sigma * std::sqrt(2 * M_PI)));
    float step = 0;
    for (int y = m.y0; y < m.y0 + m.height; ++y)
      for (int x = m.x0 + 1; x < m.x0 + m.width; ++x) step = std::max(step, std::abs(m.at(x, y) - m.at(x - 1, y)));
    EXPECT_LE(step, max_step) << "mask of w_edge " << m.edge << " steps by " << step;
  }
  EXPECT_LE(err_sum / n, 1.5);
  EXPECT_GT(shifted, 0) << "the shift never reached the picture";
}

INSTANTIATE_TEST_SUITE_P(Photos, RestorePhotos,
                         ::testing::Values("gfpgan_Blake_Lively.jpg", "wb_actress2.jpg", "wb_party7.jpg",
                                           "gpen_Solvay_conference_1927.png"),
                         [](const auto& info) {
                           std::string n = fs::path(info.param).stem().string();
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace toonbox
