// The face-restoration pipeline on generated images with injected detections and tiny
// generated "restorers" (identity, colour negative, a fidelity-weighted one): the crop and
// paste-back geometry, facexlib's mask, batching, the refusals and notes. The same on real
// photos with the real detector: tests/models/restore_photos_test.cc.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "engine/device_select.h"
#include "pipeline/restore/face_paste.h"
#include "pipeline/restore/restore_pipeline.h"
#include "unit/restore_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("toonbox_restore_pipeline_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

// `op`: "Identity" or "Neg" (the colour negative in [-1,1]); "Mul" multiplies by `weight`.
std::string write_restorer(const std::string& file, const std::string& op, int size, bool weight = false) {
  const fs::path p = temp_dir() / file;
  EXPECT_TRUE(test::write_face_restorer(p.string(), op, size, weight));
  return p.string();
}

// A smooth, textured image (gradients plus low-frequency waves): what bicubic warps keep.
Image test_photo(int w, int h) {
  Image im;
  im.width = w;
  im.height = h;
  im.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        im.rgb[(static_cast<size_t>(y) * w + x) * 3 + c] = static_cast<uint8_t>(
            std::lround(128 + 60 * std::sin(0.045 * x + c) * std::cos(0.035 * y - c) + 40.0 * x / w - 20.0 * c));
  return im;
}

// A face whose landmarks are the FFHQ template at `scale` input pixels per crop pixel,
// rotated by `angle` about its centre and placed at (cx, cy).
detect::Face face_at(double cx, double cy, double scale, double angle) {
  detect::Face f;
  const auto t = face_template_points(FaceTemplate::kFfhq, 512);
  double lo_x = 1e9, lo_y = 1e9, hi_x = -1e9, hi_y = -1e9;
  for (int k = 0; k < 5; ++k) {
    const double u = (t[k].x - 256) * scale, v = (t[k].y - 256) * scale;
    const double x = cx + u * std::cos(angle) - v * std::sin(angle), y = cy + u * std::sin(angle) + v * std::cos(angle);
    f.landmarks[2 * k] = static_cast<float>(x);
    f.landmarks[2 * k + 1] = static_cast<float>(y);
    lo_x = std::min(lo_x, x), lo_y = std::min(lo_y, y), hi_x = std::max(hi_x, x), hi_y = std::max(hi_y, y);
  }
  const double pad = 0.4 * (hi_x - lo_x);
  f.x1 = static_cast<float>(lo_x - pad), f.y1 = static_cast<float>(lo_y - 2 * pad);
  f.x2 = static_cast<float>(hi_x + pad), f.y2 = static_cast<float>(hi_y + pad);
  f.score = 0.95f;
  return f;
}

double psnr(const Image& a, const Image& b) {
  double se = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) se += (a.rgb[i] - b.rgb[i]) * double(a.rgb[i] - b.rgb[i]);
  const double mse = se / a.rgb.size();
  return mse == 0 ? 200 : 10 * std::log10(255.0 * 255.0 / mse);
}


RestorePipeline make_pipeline(const std::string& model, std::vector<detect::Face> faces, int* detect_calls = nullptr,
                              const DeviceSelection* on = nullptr) {
  auto device = on ? Result<DeviceSelection>(*on) : select_device("cpu", "fp32");
  EXPECT_TRUE(device.is_ok());
  RestoreModels m;
  auto restorer = load_face_restorer(model, {}, device.value());
  EXPECT_TRUE(restorer.is_ok()) << restorer.status().to_string();
  m.restorer = restorer.value();
  m.detect_faces = [faces, detect_calls](const Image&) -> Result<std::vector<detect::Face>> {
    if (detect_calls) ++*detect_calls;
    return faces;
  };
  return RestorePipeline(std::move(m));
}

// The paste weight of every input pixel for `face` (what the pipeline used).
PasteMask mask_of(const detect::Face& f, int w, int h, int size = 512) {
  auto t = restore_alignment(f, FaceTemplate::kFfhq, size);
  EXPECT_TRUE(t.is_ok());
  return face_paste_mask(w, h, t.value(), size);
}

TEST(RestorePaste, MaskIsFacexlibsErodedBlurredSquare) {
  // A crop at 0.5 input px per crop px, unrotated: the crop covers 256 x 256 input pixels.
  const detect::Face f = face_at(200, 200, 0.5, 0.0);
  const PasteMask m = mask_of(f, 400, 400);
  auto t = restore_alignment(f, FaceTemplate::kFfhq, 512).value();
  auto inv = t.inverse().value();
  const Point2 c0 = inv.apply({0, 0}), c1 = inv.apply({511, 511});
  // w_edge = int(sqrt(area)) // 20 with area ~ 256^2 (after a 2 px erosion): 12.
  EXPECT_EQ(m.edge, 12);
  EXPECT_NEAR(m.at(200, 200), 1.f, 1e-6);
  // The fade ends at the crop's edge (facexlib: the erosion by 2 + 2·w_edge and the blur
  // over 2·w_edge + 1 px meet there): no box. Beyond it, nothing.
  for (int i = 40; i < 216; i += 7) {
    const int x = static_cast<int>(c0.x) + i;
    EXPECT_EQ(m.at(x, static_cast<int>(std::floor(c0.y)) - 2), 0.f);
    EXPECT_EQ(m.at(x, static_cast<int>(std::ceil(c1.y)) + 2), 0.f);
    EXPECT_LT(m.at(x, static_cast<int>(std::round(c0.y))), 0.002f) << "x " << x;
    EXPECT_LT(m.at(x, static_cast<int>(std::round(c1.y))), 0.002f) << "x " << x;
    EXPECT_GT(m.at(x, static_cast<int>(c0.y) + 40), 0.99f) << "x " << x;
  }
  // Monotone from the edge inwards, and a fade (the blur) rather than a step: about
  // 2·w_edge pixels between 5% and 95%.
  float prev = 0;
  int fading = 0;
  for (int y = static_cast<int>(c0.y); y < 200; ++y) {
    EXPECT_GE(m.at(200, y) + 1e-6f, prev) << "y " << y;
    EXPECT_LE(m.at(200, y) - prev, 0.2f) << "a step at y " << y;
    prev = m.at(200, y);
    fading += prev > 0.05f && prev < 0.95f;
  }
  EXPECT_GE(fading, m.edge);
}

TEST(RestorePipeline, IdentityRestorerGivesThePhotoBack) {
  const Image photo = test_photo(420, 360);
  const std::vector<detect::Face> faces = {face_at(150, 170, 0.45, 0.15), face_at(300, 200, 0.25, -0.3),
                                           face_at(330, 80, 0.12, 0.5)};
  RestorePipeline p = make_pipeline(write_restorer("identity.onnx", "Identity", 512), faces);
  RestoreReport r;
  auto out = p.process(photo, {}, &r);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(r.faces, 3);
  // Three faces, one device call (a batch shape of 4: the last slot repeats a face).
  EXPECT_EQ(r.device_calls, 1);
  EXPECT_EQ(r.batch, 4);
  const double db = psnr(photo, out.value());
  std::printf("[ measure ] identity restorer on a generated 420x360 image, 3 faces: %.1f dB\n", db);
  EXPECT_GE(db, 40.0);
  // Outside every mask the photo is untouched, bit for bit.
  std::vector<PasteMask> masks;
  for (const auto& f : faces) masks.push_back(mask_of(f, photo.width, photo.height));
  int outside = 0;
  for (int y = 0; y < photo.height; ++y)
    for (int x = 0; x < photo.width; ++x) {
      bool any = false;
      for (const auto& m : masks) any |= m.at(x, y) > 0.f;
      if (any) continue;
      ++outside;
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(out->rgb[(static_cast<size_t>(y) * photo.width + x) * 3 + c],
                  photo.rgb[(static_cast<size_t>(y) * photo.width + x) * 3 + c]);
    }
  EXPECT_GT(outside, 1000);
}

TEST(RestorePipeline, NegativeRestorerIsPastedWhereTheMaskSays) {
  const Image photo = test_photo(400, 400);
  const detect::Face f = face_at(200, 210, 0.5, 0.25);
  RestorePipeline p = make_pipeline(write_restorer("negative.onnx", "Neg", 512), {f});
  RestoreReport r;
  auto out = p.process(photo, {}, &r);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const PasteMask m = mask_of(f, 400, 400);
  // Each pixel must be the mask's blend of the negative and the photo: checks the region,
  // the orientation of the warp (a wrong inverse would paste other pixels) and the blend.
  double worst = 0, band_worst = 0;
  int core = 0, band = 0;
  for (int y = 0; y < 400; ++y)
    for (int x = 0; x < 400; ++x) {
      const float w = m.at(x, y);
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * 400 + x) * 3 + c;
        const double want = w * (255.0 - photo.rgb[i]) + (1 - w) * photo.rgb[i];
        const double err = std::abs(out->rgb[i] - want);
        if (w > 0.999f) worst = std::max(worst, err), ++core;
        else if (w > 0.001f) band_worst = std::max(band_worst, err), ++band;
        else ASSERT_EQ(out->rgb[i], photo.rgb[i]) << "outside the mask at " << x << "," << y;
      }
    }
  std::printf("[ measure ] negative restorer: max error %.1f levels in the core (%d), %.1f in the band (%d)\n", worst,
              core, band_worst, band);
  EXPECT_GT(core, 3 * 150 * 150);
  EXPECT_GT(band, 3 * 2000);
  EXPECT_LE(worst, 4.0);
  EXPECT_LE(band_worst, 4.0);
}

TEST(RestorePipeline, FidelityReachesTheWeightInput) {
  const Image photo = test_photo(300, 300);
  const detect::Face a = face_at(110, 150, 0.3, 0.0), b = face_at(200, 150, 0.3, 0.0);
  RestorePipeline p = make_pipeline(write_restorer("codeformer_like.onnx", "Mul", 512, true), {a, b});
  RestoreOptions o;
  o.fidelity = 0.f;  // output 0 in [-1,1]: mid grey
  RestoreReport r;
  auto out = p.process(photo, o, &r);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(r.faces, 2);
  const size_t centre = (static_cast<size_t>(150) * 300 + 110) * 3;
  EXPECT_NEAR(out->rgb[centre], 128, 1);  // (0 + 1) / 2 * 255
  o.fidelity = 1.f;
  auto same = p.process(photo, o, &r);
  ASSERT_TRUE(same.is_ok());
  EXPECT_GE(psnr(photo, same.value()), 40.0);
}

TEST(RestorePipeline, NoFacesSmallFacesAndFacesOnly) {
  const Image photo = test_photo(200, 200);
  const std::string model = write_restorer("identity_small.onnx", "Identity", 256);
  {
    RestorePipeline p = make_pipeline(model, {});
    RestoreReport r;
    auto out = p.process(photo, {}, &r);
    ASSERT_TRUE(out.is_ok());
    EXPECT_EQ(out->rgb, photo.rgb);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes.back().find("no face found"), std::string::npos);
    EXPECT_FALSE(r.nothing_to_write);
    RestoreOptions only;
    only.faces_only = true;
    ASSERT_TRUE(p.process(photo, only, &r).is_ok());
    EXPECT_TRUE(r.nothing_to_write);
    EXPECT_NE(r.notes.back().find("nothing written"), std::string::npos);
  }
  {
    detect::Face tiny = face_at(100, 100, 0.02, 0);  // a box of a few pixels
    RestorePipeline p = make_pipeline(model, {tiny});
    RestoreReport r;
    auto out = p.process(photo, {}, &r);
    ASSERT_TRUE(out.is_ok());
    EXPECT_EQ(r.faces, 0);
    EXPECT_EQ(r.faces_skipped, 1);
    ASSERT_EQ(r.detections.size(), 1u);
    EXPECT_EQ(r.detections[0].verdict, "small");
    EXPECT_NE(r.notes.front().find("too small to restore"), std::string::npos);
  }
}

TEST(RestorePipeline, UpscaleWithoutTheUpscaleTaskIsRefused) {
  RestorePipeline p = make_pipeline(write_restorer("identity_up.onnx", "Identity", 256), {});
  RestoreOptions o;
  o.upscale = 2;
  auto out = p.process(test_photo(64, 64), o);
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(out.status().message().find("needs an upscaler for the background"), std::string::npos);
}

TEST(RestorePipeline, AStyleModelIsNotARestorer) {
  auto device = select_device("cpu", "fp32");
  ASSERT_TRUE(device.is_ok());
  test::OnnxWriter w;
  w.input("x", {1, 3, -1, -1});
  w.input("y", {1, 3, -1, -1});
  w.node("Add", {"x", "y"}, {"output"});
  w.output("output");
  const fs::path path = temp_dir() / "two_images.onnx";
  ASSERT_TRUE(w.save(path.string()));
  auto r = load_face_restorer(path.string(), {}, device.value());
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("two image inputs"), std::string::npos) << r.status().message();
}

// The same pipeline on the GPU (fp32 and fp16) against the CPU: the restorer runs through
// the CUDA backend, the crops and the paste stay on the host. Skips without a GPU.
TEST(RestorePipelineCuda, MatchesTheCpu) {
  const Image photo = test_photo(360, 300);
  const std::vector<detect::Face> faces = {face_at(120, 150, 0.3, 0.1), face_at(250, 140, 0.2, -0.2)};
  const std::string model = write_restorer("negative_cuda.onnx", "Neg", 512);
  RestorePipeline cpu = make_pipeline(model, faces);
  auto want = cpu.process(photo, {});
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  for (const char* precision : {"fp32", "fp16"}) {
    auto device = select_device("cuda", precision);
    if (!device.is_ok()) GTEST_SKIP() << "no usable GPU: " << device.status().message();
    RestorePipeline gpu = make_pipeline(model, faces, nullptr, &device.value());
    RestoreReport r;
    auto got = gpu.process(photo, {}, &r);
    ASSERT_TRUE(got.is_ok()) << precision << ": " << got.status().to_string();
    EXPECT_EQ(r.faces, 2);
    const double db = psnr(want.value(), got.value());
    std::printf("[ measure ] restore on CUDA %s vs CPU: %.1f dB\n", precision, db);
    EXPECT_GE(db, 40.0) << precision;
  }
}

}  // namespace
}  // namespace toonbox
