// Portrait mode on real photos: YuNet and the White-box model imported into a temporary
// models folder (as `toonbox models import` does) from the shared folder, run on the CPU
// (or on $TOONBOX_TEST_DEVICE).
// Each photo is processed in auto mode and in whole mode; the checks: the mode chosen,
// faces found, output size, alpha, that pixels far from every head equal the whole-frame
// result exactly, and that the heads changed the picture.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

#include "core/timing.h"
#include "engine/device_select.h"
#include "image/affine.h"
#include "image/image_io.h"
#include "models/photo_util.h"
#include "models/registry.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/face_align.h"
#include "unit/server_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

struct Setup {
  std::string skip;   // why the tests cannot run (a file or the device missing), or ""
  std::string error;  // the files are there but importing or loading them failed, or ""
  fs::path models;
  std::unique_ptr<CartoonPipeline> pipeline;
};

// Imports the models once for the whole suite (import validates and copies ~3 MB).
Setup& setup() {
  static Setup s = [] {
    Setup s;
    const fs::path shared = test::shared_dir();
    const fs::path yunet = shared / "models/yunet/yunet_n_dynamic.onnx";
    const fs::path whitebox = shared / "models/whitebox-cartoon/tfjs-float16";
    for (const fs::path& p : {yunet, whitebox / "model.json", shared / "images/wb_actress2.jpg"})
      if (!fs::exists(p)) {
        s.skip = p.string() + " not found (set TOONBOX_SHARED_DIR to the shared folder)";
        return s;
      }
    s.models = fs::temp_directory_path() / ("toonbox_portrait_models_" + std::to_string(::getpid()));
    fs::remove_all(s.models);
    fs::create_directories(s.models);
    ::setenv("TOONBOX_MODELS", s.models.c_str(), 1);
    for (auto [path, name] : {std::pair{yunet, "yunet"}, std::pair{whitebox, "whitebox"}}) {
      auto installed = import_model(path.string(), ImportOptions{name, false, {}});
      if (!installed.is_ok()) {
        s.error = "importing " + path.string() + ": " + installed.status().to_string();
        return s;
      }
    }
    // TOONBOX_TEST_DEVICE=cuda runs the suite on the GPU (tools/gpu_check.sh does).
    const char* dev = std::getenv("TOONBOX_TEST_DEVICE");
    auto device = select_device(dev ? dev : "cpu", "fp32");
    if (!device.is_ok()) {
      s.skip = "device: " + device.status().to_string();
      return s;
    }
    auto models = load_cartoon_models("whitebox", "", CartoonMode::kAuto, device.value(), nullptr);
    if (!models.is_ok() || !models->detector) {
      s.error = "loading the models: " + (models.is_ok() ? models->detector_missing : models.status().to_string());
      return s;
    }
    s.pipeline = std::make_unique<CartoonPipeline>(std::move(models).value());
    return s;
  }();
  return s;
}

struct PhotoRun {
  Image input, portrait, whole;
  CartoonReport report, whole_report;
  double portrait_ms = 0, whole_ms = 0;
};

PhotoRun run(const std::string& name, const Image& input, CartoonOptions options = {}) {
  PhotoRun r;
  r.input = input;
  auto t0 = std::chrono::steady_clock::now();
  auto out = setup().pipeline->process(input, options, &r.report);
  r.portrait_ms = ms_since(t0);
  EXPECT_TRUE(out.is_ok()) << name << ": " << out.status().to_string();
  if (out.is_ok()) r.portrait = std::move(out).value();
  options.mode = CartoonMode::kWhole;
  t0 = std::chrono::steady_clock::now();
  auto whole = setup().pipeline->process(input, options, &r.whole_report);
  r.whole_ms = ms_since(t0);
  EXPECT_TRUE(whole.is_ok()) << name << ": " << whole.status().to_string();
  if (whole.is_ok()) r.whole = std::move(whole).value();
  std::printf("[ measure ] %s %dx%d: mode %s, %d faces (%d skipped), auto %.0f ms (detect %.0f, heads %.0f), "
              "whole %.0f ms\n",
              name.c_str(), input.width, input.height, cartoon_mode_name(r.report.mode_used), r.report.faces,
              r.report.faces_skipped, r.portrait_ms, r.report.detect_ms, r.report.heads_ms, r.whole_ms);
  for (const auto& f : r.report.heads)
    std::printf("[ face    ] box (%.0f,%.0f)-(%.0f,%.0f) score %.2f\n", f.x1, f.y1, f.x2, f.y2, f.score);
  for (const auto& n : r.report.notes) std::printf("[ note    ] %s\n", n.c_str());
  return r;
}

Image photo(const std::string& file) {
  auto img = read_image_file((test::shared_dir() / "images" / file).string(), {});
  EXPECT_TRUE(img.is_ok()) << file << ": " << img.status().to_string();
  return img.is_ok() ? std::move(img).value() : Image{};
}

// Pixels where no head's paste mask reaches equal the whole-frame result; each head's
// centre region differs from it. Returns how many heads visibly changed their face.
int check_heads_pasted(const PhotoRun& r) {
  const Image& in = r.input;
  EXPECT_EQ(r.portrait.width, r.whole.width);
  EXPECT_EQ(r.portrait.height, r.whole.height);
  if (r.portrait.rgb.size() != r.whole.rgb.size()) return 0;
  std::vector<float> any(static_cast<size_t>(in.width) * in.height, 0.f);
  int changed_heads = 0;
  for (const detect::Face& f : r.report.heads) {
    auto t = head_alignment(f, kHeadCropSize);
    EXPECT_TRUE(t.is_ok());
    const std::vector<float> m = head_paste_mask(in.width, in.height, *t, kHeadCropSize);
    double diff = 0;
    int n = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      any[i] = std::max(any[i], m[i]);
      if (m[i] == 1.f)
        for (int c = 0; c < 3; ++c, ++n) diff += std::abs(r.portrait.rgb[i * 3 + c] - r.whole.rgb[i * 3 + c]);
    }
    changed_heads += n > 0 && diff / n > 2.0;
  }
  int far_differs = 0;
  for (size_t i = 0; i < any.size(); ++i)
    if (any[i] == 0.f)
      for (int c = 0; c < 3; ++c) far_differs += r.portrait.rgb[i * 3 + c] != r.whole.rgb[i * 3 + c];
  EXPECT_EQ(far_differs, 0) << "pixels far from every face must be the whole-frame result";
  return changed_heads;
}

// Skips where a file or the device is missing; fails where they are there but the
// import or the model load failed (that is the feature under test breaking).
#define SKIP_WITHOUT_MODELS()                               \
  if (!setup().skip.empty()) GTEST_SKIP() << setup().skip; \
  ASSERT_TRUE(setup().error.empty()) << setup().error

TEST(PortraitModels, OneFaceActress) {
  SKIP_WITHOUT_MODELS();
  const PhotoRun r = run("wb_actress2.jpg", photo("wb_actress2.jpg"));
  EXPECT_EQ(r.report.mode_used, CartoonMode::kPortrait);
  EXPECT_EQ(r.report.faces, 1);
  EXPECT_EQ(r.portrait.width, r.input.width);
  EXPECT_EQ(r.portrait.height, r.input.height);
  EXPECT_EQ(check_heads_pasted(r), r.report.faces);
}

TEST(PortraitModels, DctNetInput) {
  SKIP_WITHOUT_MODELS();
  const PhotoRun r = run("dctnet_input.png", photo("dctnet_input.png"));
  EXPECT_EQ(r.report.mode_used, CartoonMode::kPortrait);
  EXPECT_GE(r.report.faces, 1);
  EXPECT_EQ(check_heads_pasted(r), r.report.faces);
}

// The Solvay photo's ~29 faces are 33-52 px boxes: by default (--min-face 48) most keep
// the whole-frame result, which draws them as well as their pixels allow, and no box under
// the minimum gets a head pass. With the minimum lowered, the crowd goes through the head
// pass (128 px crops, batched).
TEST(PortraitModels, SolvayGroupPhotoSmallFacesKeepTheFrameAlphaKept) {
  SKIP_WITHOUT_MODELS();
  const Image input = photo("gpen_Solvay_conference_1927.png");
  ASSERT_TRUE(input.has_alpha()) << "the Solvay photo is RGBA";
  const PhotoRun r = run("gpen_Solvay_conference_1927.png", input);
  EXPECT_GE(r.report.detections.size(), 25u);
  int small = 0;
  for (const FaceDecision& d : r.report.detections) small += d.verdict == "small";
  EXPECT_GE(small, 20) << "most faces are under the 48 px minimum";
  for (const detect::Face& f : r.report.heads) EXPECT_GE(std::min(f.x2 - f.x1, f.y2 - f.y1), 48.f);
  EXPECT_EQ(r.portrait.alpha, input.alpha);
  EXPECT_EQ(check_heads_pasted(r), r.report.faces);

  CartoonOptions crowd;
  crowd.min_face = 24;
  const PhotoRun many = run("gpen_Solvay_conference_1927.png, --min-face 24", input, crowd);
  EXPECT_EQ(many.report.mode_used, CartoonMode::kPortrait);
  EXPECT_GE(many.report.faces, 20) << "most of the ~29 faces are stylized as heads";
  EXPECT_EQ(many.portrait.alpha, input.alpha);
  EXPECT_GE(check_heads_pasted(many), 20);
}

TEST(PortraitModels, NoFacesFallsBackToWhole) {
  SKIP_WITHOUT_MODELS();
  const PhotoRun r = run("wb_mountain4.jpg", photo("wb_mountain4.jpg"));
  EXPECT_EQ(r.report.mode_used, CartoonMode::kWhole);
  EXPECT_EQ(r.report.faces, 0);
  ASSERT_FALSE(r.report.notes.empty());
  EXPECT_NE(r.report.notes.back().find("no faces found"), std::string::npos);
  EXPECT_EQ(r.portrait.rgb, r.whole.rgb);
}

TEST(PortraitModels, TiltedFace) {
  SKIP_WITHOUT_MODELS();
  const Image upright = photo("wb_actress2.jpg");
  ASSERT_GT(upright.width, 0);
  // Rotate by 30 degrees (clockwise on screen) about the centre, into a canvas that
  // holds the whole rotated photo.
  const double a = 30 * M_PI / 180, c = std::cos(a), s = std::sin(a);
  const int w = static_cast<int>(std::ceil(upright.width * c + upright.height * s));
  const int h = static_cast<int>(std::ceil(upright.width * s + upright.height * c));
  Affine2 out_to_src;  // rotate by -30 about the canvas centre onto the photo's centre
  const double ox = (w - 1) / 2.0, oy = (h - 1) / 2.0, ix = (upright.width - 1) / 2.0, iy = (upright.height - 1) / 2.0;
  out_to_src.m = {c, s, ix - c * ox - s * oy, -s, c, iy + s * ox - c * oy};
  std::vector<uint8_t> valid;
  Image tilted = warp_affine(upright, out_to_src, w, h, &valid);
  // Grey corners, as a photo editor's rotation gives (replicated streaks can look like
  // anything to a detector).
  for (size_t i = 0; i < valid.size(); ++i)
    if (!valid[i]) tilted.rgb[i * 3] = tilted.rgb[i * 3 + 1] = tilted.rgb[i * 3 + 2] = 128;
  const PhotoRun r = run("wb_actress2.jpg rotated 30 degrees", tilted);
  EXPECT_EQ(r.report.mode_used, CartoonMode::kPortrait);
  ASSERT_EQ(r.report.faces, 1);
  // The alignment's rotation (all five landmarks, least squares) follows the photo's:
  // 30 degrees more than the upright photo's own head roll.
  auto roll = [](const detect::Face& f) {
    auto t = head_alignment(f, kHeadCropSize);  // frame -> crop undoes the roll
    return t.is_ok() ? -std::atan2(t->m[3], t->m[0]) * 180 / M_PI : 999.0;
  };
  CartoonReport upright_report;
  ASSERT_TRUE(setup().pipeline->process(upright, {}, &upright_report).is_ok());
  ASSERT_EQ(upright_report.faces, 1);
  const double upright_roll = roll(upright_report.heads[0]), tilted_roll = roll(r.report.heads[0]);
  std::printf("[ measure ] head roll: upright %.1f, rotated %.1f degrees\n", upright_roll, tilted_roll);
  EXPECT_NEAR(tilted_roll - upright_roll, 30.0, 8.0);
  EXPECT_EQ(check_heads_pasted(r), 1);
}

// The photo stored sideways with EXIF orientation 6 ("rotate 90 clockwise to view"):
// decoding applies the orientation, so the detector sees an upright face. (The shared
// gfpgan_Blake_Lively.jpg carries EXIF without an orientation tag, so the tag is added.)
TEST(PortraitModels, ExifOrientationIsAppliedBeforeDetection) {
  SKIP_WITHOUT_MODELS();
  const Image upright = photo("gfpgan_Blake_Lively.jpg");
  ASSERT_GT(upright.width, 0);
  Image stored;  // upright turned 90 degrees counter-clockwise
  stored.width = upright.height;
  stored.height = upright.width;
  stored.rgb.resize(upright.rgb.size());
  for (int y = 0; y < stored.height; ++y)
    for (int x = 0; x < stored.width; ++x)
      for (int c = 0; c < 3; ++c)
        stored.rgb[(static_cast<size_t>(y) * stored.width + x) * 3 + c] =
            upright.rgb[(static_cast<size_t>(x) * upright.width + (upright.width - 1 - y)) * 3 + c];
  auto jpeg = encode_image(stored, {ImageFormat::kJpeg, 95});
  ASSERT_TRUE(jpeg.is_ok());
  const std::vector<uint8_t> app1 = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,   // APP1, 34 bytes
                                     'M', 'M', 0x00, 0x2A, 0, 0, 0, 8,                     // TIFF, IFD at 8
                                     0x00, 0x01,                                           // one entry
                                     0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0,  // Orientation = 6
                                     0, 0, 0, 0};                                          // no next IFD
  std::vector<uint8_t> bytes(jpeg->begin(), jpeg->begin() + 2);
  bytes.insert(bytes.end(), app1.begin(), app1.end());
  bytes.insert(bytes.end(), jpeg->begin() + 2, jpeg->end());
  auto decoded = decode_image(bytes.data(), bytes.size(), DecodeOptions{});
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded->width, upright.width) << "EXIF orientation 6 was not applied";
  ASSERT_EQ(decoded->height, upright.height);

  const PhotoRun r = run("gfpgan_Blake_Lively.jpg stored sideways, EXIF orientation 6", *decoded);
  EXPECT_EQ(r.report.mode_used, CartoonMode::kPortrait);
  ASSERT_GE(r.report.faces, 1);
  // Upright: the eyes lie above the mouth and the eye line is near horizontal.
  const detect::Face& f = r.report.heads.back();
  EXPECT_LT(f.landmarks[1], f.landmarks[7]);
  EXPECT_LT(std::abs(f.landmarks[3] - f.landmarks[1]), 0.5 * std::abs(f.landmarks[2] - f.landmarks[0]));
  EXPECT_EQ(check_heads_pasted(r), r.report.faces);
}

TEST(PortraitModels, LongSideAndStrength) {
  SKIP_WITHOUT_MODELS();
  const Image input = photo("wb_actress2.jpg");
  CartoonOptions o;
  o.long_side = 512;
  CartoonReport report;
  auto small = setup().pipeline->process(input, o, &report);
  ASSERT_TRUE(small.is_ok()) << small.status().to_string();
  EXPECT_EQ(std::max(small->width, small->height), 512);
  EXPECT_NEAR(static_cast<double>(small->width) / small->height, static_cast<double>(input.width) / input.height, 0.01);
  EXPECT_EQ(report.mode_used, CartoonMode::kPortrait);
  o.long_side = 0;
  o.strength = 0;
  auto original = setup().pipeline->process(input, o);
  ASSERT_TRUE(original.is_ok());
  EXPECT_EQ(original->rgb, input.rgb);
}

// toonbox serve in portrait mode with the real detector: one face found and pasted, said
// in the headers; the status reports portrait mode available.
TEST(PortraitModels, ServeRunsPortraitMode) {
  SKIP_WITHOUT_MODELS();
  server_test::ServerHarness h({}, false, setup().models.string());
  auto status = server_test::json_of(h.client()->Get("/api/v1/status"));
  EXPECT_EQ(status["modes"]["portrait"], true);
  std::ifstream f(test::shared_dir() / "images/wb_actress2.jpg", std::ios::binary);
  const std::string jpeg((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto r = h.cartoonize(jpeg, "?mode=portrait&model=whitebox");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Toonbox-Mode"), "portrait");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Faces"), "1");
  auto whole = h.cartoonize(jpeg, "?mode=whole&model=whitebox");
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("X-Toonbox-Mode"), "whole");
  EXPECT_NE(whole->body, r->body) << "the pasted head changed nothing";
}

}  // namespace
}  // namespace toonbox
