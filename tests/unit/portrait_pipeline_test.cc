// Portrait mode end to end on generated images (src/pipeline/cartoon_pipeline.cc): the
// built-in 'classic' style stylizes the frame, a flat-fill head model (each crop becomes
// its mean colour) makes every pasted head recognizable, and faces come from an injected
// detector, so each case checks exact pixels: untouched outside a head's mask, the head's
// colour where its mask is 1.
#include <gtest/gtest.h>

#include <map>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "engine/device_select.h"
#include "pipeline/builtin_style.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/face_align.h"
#include "unit/portrait_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::graph;

namespace toonbox {
namespace {

using portrait_test::make_face;
using portrait_test::make_scene;

DeviceSelection cpu() { return select_device("cpu", "fp32").value(); }

// The synthetic faces here are 40-80 px boxes on 160-420 px scenes, below the default
// --min-face for some and of arbitrary sharpness: the mechanics tests turn both filters
// down (the filters have tests of their own).
CartoonOptions small_faces() {
  CartoonOptions o;
  o.min_face = 12;
  o.min_relative_sharpness = 0;
  return o;
}

std::shared_ptr<ModelRunner> classic() {
  ModelSource m;
  m.name = kBuiltinStyleName;
  m.builtin = true;
  m.graph = build_classic_cartoon_graph();
  m.contract.size_multiple = 1;
  m.margin = 8;
  return std::make_shared<ModelRunner>(std::move(m), cpu());
}

// [1,H,W,3] -> every pixel the image's mean colour.
std::shared_ptr<ModelRunner> flat_fill() {
  ModelSource m;
  m.name = "flat-fill";
  m.contract.size_multiple = 1;
  Graph& g = m.graph;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  const int mean = g.add_node(OpKind::kReduce, "mean", {x}, ReduceParams{ReduceOp::kMean, {1, 2}, true});
  const int zero = g.add_constant("zero", Tensor::from_vector<float>({}, {0.f}));
  const int cleared = g.add_node(OpKind::kBinary, "cleared", {x, zero}, BinaryParams{BinaryOp::kMul});
  g.add_output(g.add_node(OpKind::kBinary, "fill", {cleared, mean}, BinaryParams{BinaryOp::kAdd}));
  return std::make_shared<ModelRunner>(std::move(m), cpu());
}

// Returns its input: a head "stylized" by it is the photo's own crop, so the paste-back
// seam between it and the classic frame is what a seam test looks at.
std::shared_ptr<ModelRunner> identity_model() {
  ModelSource m;
  m.name = "identity";
  m.contract.size_multiple = 1;
  Graph& g = m.graph;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  g.add_output(g.add_node(OpKind::kUnary, "id", {x}, UnaryParams{UnaryOp::kIdentity}));
  return std::make_shared<ModelRunner>(std::move(m), cpu());
}

// A scene with fine texture (so faces on it are sharp) and, optionally, a blurred box (an
// out-of-focus region).
Image textured_scene(int width, int height, int blur_x0 = -1, int blur_x1 = -1) {
  Image img = make_scene(width, height);
  for (size_t i = 0; i < img.rgb.size(); ++i)
    img.rgb[i] = static_cast<uint8_t>(std::clamp(img.rgb[i] + ((i * 2654435761u >> 7) % 61) - 30, size_t{0}, size_t{255}));
  if (blur_x0 >= 0) {
    const Image sharp = img;
    const int r = 6;
    for (int y = 0; y < height; ++y)
      for (int x = blur_x0; x < blur_x1; ++x)
        for (int c = 0; c < 3; ++c) {
          int sum = 0, n = 0;
          for (int dy = -r; dy <= r; ++dy)
            for (int dx = -r; dx <= r; ++dx) {
              const int yy = std::clamp(y + dy, 0, height - 1), xx = std::clamp(x + dx, 0, width - 1);
              sum += sharp.rgb[(yy * width + xx) * 3 + c];
              ++n;
            }
          img.rgb[(y * width + x) * 3 + c] = static_cast<uint8_t>(sum / n);
        }
  }
  return img;
}

struct Fixture {
  std::shared_ptr<ModelRunner> background = classic();
  std::shared_ptr<ModelRunner> head = flat_fill();

  CartoonPipeline pipeline(std::vector<detect::Face> faces) {
    CartoonModels m;
    m.background = background;
    m.head = head;
    m.detect_faces = [faces](const Image&) -> Result<std::vector<detect::Face>> { return faces; };
    return CartoonPipeline(std::move(m));
  }
  Image whole(const Image& input) {
    CartoonOptions o;
    o.mode = CartoonMode::kWhole;
    auto out = pipeline({}).process(input, o);
    EXPECT_TRUE(out.is_ok()) << out.status().to_string();
    return out.is_ok() ? *out : Image{};
  }
};

Fixture& fixture() {
  static Fixture f;  // the compiled sessions are shared by the tests
  return f;
}

// The colour the flat-fill model gives `face`'s crop of `input`.
std::array<int, 3> head_colour(const Image& input, const detect::Face& face) {
  auto crop = crop_head(input, face, choose_head_crop(face, 1.0)->size);
  EXPECT_TRUE(crop.is_ok());
  double sum[3] = {0, 0, 0};
  for (size_t i = 0; i < crop->image.rgb.size(); ++i) sum[i % 3] += crop->image.rgb[i];
  const double n = crop->image.rgb.size() / 3.0;
  return {int(std::lround(sum[0] / n)), int(std::lround(sum[1] / n)), int(std::lround(sum[2] / n))};
}

std::vector<float> mask_of(const Image& img, const detect::Face& face) {
  const int size = choose_head_crop(face, 1.0)->size;
  auto t = head_alignment(face, size);
  EXPECT_TRUE(t.is_ok());
  return head_paste_mask(img.width, img.height, *t, size);
}

bool near_colour(const uint8_t* p, const std::array<int, 3>& c, int tol = 1) {
  return std::abs(p[0] - c[0]) <= tol && std::abs(p[1] - c[1]) <= tol && std::abs(p[2] - c[2]) <= tol;
}

// Every pixel outside all heads' masks equals the whole-frame result; where the largest
// face's mask is 1 the pixel is that head's colour. Returns the number of head pixels
// that differ from the whole-frame result (a pasted head must change something).
int check_heads(const Image& input, const Image& out, const Image& whole, std::vector<detect::Face> faces) {
  EXPECT_EQ(out.width, whole.width);
  EXPECT_EQ(out.height, whole.height);
  std::vector<float> any(input.width * input.height, 0.f);
  for (const auto& f : faces) {
    const auto m = mask_of(input, f);
    for (size_t i = 0; i < any.size(); ++i) any[i] = std::max(any[i], m[i]);
  }
  std::sort(faces.begin(), faces.end(), [](const auto& a, const auto& b) {
    return (a.x2 - a.x1) * (a.y2 - a.y1) < (b.x2 - b.x1) * (b.y2 - b.y1);
  });
  const auto last_mask = mask_of(input, faces.back());
  const auto colour = head_colour(input, faces.back());
  int outside_bad = 0, head_bad = 0, changed = 0;
  for (size_t i = 0; i < any.size(); ++i) {
    const uint8_t* p = &out.rgb[i * 3];
    const uint8_t* w = &whole.rgb[i * 3];
    if (any[i] == 0.f) outside_bad += (p[0] != w[0] || p[1] != w[1] || p[2] != w[2]);
    if (last_mask[i] == 1.f) {
      head_bad += !near_colour(p, colour);
      changed += !near_colour(w, colour, 3);
    }
  }
  EXPECT_EQ(outside_bad, 0) << "pixels outside every head changed";
  EXPECT_EQ(head_bad, 0) << "pixels of the largest head are not its colour";
  return changed;
}

TEST(PortraitPipeline, NoFacesGivesTheWholeFrameWithANote) {
  const Image input = make_scene(120, 90);
  const Image whole = fixture().whole(input);
  for (CartoonMode mode : {CartoonMode::kAuto, CartoonMode::kPortrait}) {
    CartoonOptions o;
    o.mode = mode;
    CartoonReport report;
    auto out = fixture().pipeline({}).process(input, o, &report);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ(out->rgb, whole.rgb);
    EXPECT_EQ(report.mode_used, CartoonMode::kWhole);
    EXPECT_EQ(report.faces, 0);
    ASSERT_EQ(report.notes.size(), 1u);
    EXPECT_NE(report.notes[0].find("no "), std::string::npos) << report.notes[0];
    EXPECT_NE(report.notes[0].find("faces found"), std::string::npos) << report.notes[0];
  }
}

TEST(PortraitPipeline, WholeModeNeverDetects) {
  CartoonModels m;
  m.background = m.head = fixture().background;
  bool called = false;
  m.detect_faces = [&](const Image&) -> Result<std::vector<detect::Face>> {
    called = true;
    return std::vector<detect::Face>{};
  };
  CartoonPipeline p(std::move(m));
  CartoonOptions o;
  o.mode = CartoonMode::kWhole;
  ASSERT_TRUE(p.process(make_scene(40, 30), o).is_ok());
  EXPECT_FALSE(called);
}

TEST(PortraitPipeline, MissingDetectorIsAnErrorInPortraitAndANoteInAuto) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("toonbox_portrait_nomodels_" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const char* old = std::getenv("TOONBOX_MODELS");
  const std::string saved = old ? old : "";
  ::setenv("TOONBOX_MODELS", dir.c_str(), 1);
  auto portrait = load_cartoon_models("classic", "", CartoonMode::kPortrait, cpu(), nullptr);
  auto autom = load_cartoon_models("classic", "", CartoonMode::kAuto, cpu(), nullptr);
  auto whole = load_cartoon_models("classic", "", CartoonMode::kWhole, cpu(), nullptr);
  if (old) ::setenv("TOONBOX_MODELS", saved.c_str(), 1); else ::unsetenv("TOONBOX_MODELS");
  std::filesystem::remove_all(dir);

  ASSERT_FALSE(portrait.is_ok());
  EXPECT_NE(portrait.status().message().find("toonbox models import"), std::string::npos)
      << portrait.status().message();
  ASSERT_TRUE(autom.is_ok()) << autom.status().to_string();
  EXPECT_EQ(autom->detector, nullptr);
  EXPECT_FALSE(autom->detector_missing.empty());
  EXPECT_EQ(autom->head, autom->background);  // no --head-model: one ModelRunner
  ASSERT_TRUE(whole.is_ok());

  // The pipeline itself: auto falls back with the reason, portrait refuses.
  CartoonPipeline p(std::move(autom).value());
  CartoonReport report;
  const Image input = make_scene(40, 30);
  auto out = p.process(input, {}, &report);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(report.mode_used, CartoonMode::kWhole);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("toonbox models import"), std::string::npos) << report.notes[0];
  CartoonOptions o;
  o.mode = CartoonMode::kPortrait;
  EXPECT_FALSE(p.process(input, o).is_ok());
}

TEST(PortraitPipeline, FailedDetectionCostsTheHeadsInAutoAndFailsPortrait) {
  CartoonModels m;
  m.background = m.head = fixture().background;
  m.detect_faces = [](const Image&) -> Result<std::vector<detect::Face>> {
    return out_of_memory("detector arena");
  };
  CartoonPipeline p(std::move(m));
  const Image input = make_scene(40, 30);
  CartoonReport report;
  auto out = p.process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.mode_used, CartoonMode::kWhole);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("detector arena"), std::string::npos) << report.notes[0];
  CartoonOptions o;
  o.mode = CartoonMode::kPortrait;
  auto failed = p.process(input, o);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kOutOfMemory);
}

TEST(PortraitPipeline, OneFace) {
  const Image input = make_scene(240, 200);
  const detect::Face face = make_face(120, 95, 24);
  CartoonReport report;
  auto out = fixture().pipeline({face}).process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.mode_used, CartoonMode::kPortrait);
  EXPECT_EQ(report.faces, 1);
  EXPECT_TRUE(report.notes.empty());
  EXPECT_GT(check_heads(input, *out, fixture().whole(input), {face}), 500);
}

TEST(PortraitPipeline, FaceCutByTheBorder) {
  const Image input = make_scene(200, 160);
  const detect::Face face = make_face(6, 150, 26);  // bottom-left corner: most of it outside
  CartoonReport report;
  auto out = fixture().pipeline({face}).process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 1);
  EXPECT_GT(check_heads(input, *out, fixture().whole(input), {face}), 100);
  // Stylized right up to the frame's corner.
  const auto colour = head_colour(input, face);
  EXPECT_TRUE(near_colour(&out->rgb[((input.height - 1) * input.width) * 3], colour));
}

TEST(PortraitPipeline, TiltedFace) {
  const Image input = make_scene(240, 200);
  const detect::Face face = make_face(120, 100, 22, 30);
  CartoonReport report;
  auto out = fixture().pipeline({face}).process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 1);
  EXPECT_GT(check_heads(input, *out, fixture().whole(input), {face}), 500);
  // The pasted ellipse turns with the face: it reaches further along the face's own
  // up-down axis (eyes to mouth, from the landmarks) than across it.
  const std::vector<float> m = mask_of(input, face);
  const double ex = (face.landmarks[0] + face.landmarks[2]) / 2, ey = (face.landmarks[1] + face.landmarks[3]) / 2;
  const double mx = (face.landmarks[6] + face.landmarks[8]) / 2, my = (face.landmarks[7] + face.landmarks[9]) / 2;
  const double len = std::hypot(mx - ex, my - ey), ux = (mx - ex) / len, uy = (my - ey) / len;
  auto t = head_alignment(face, kHeadCropSize);
  ASSERT_TRUE(t.is_ok());
  const double d = (kMaskRadiusX + kMaskRadiusY) / 2 * kHeadCropSize / t->scale();  // between the radii
  const Point2 c = t->inverse()->apply({kMaskCentreX * kHeadCropSize - 0.5, kMaskCentreY * kHeadCropSize - 0.5});
  auto at = [&](double x, double y) { return m[static_cast<int>(std::lround(y)) * input.width + static_cast<int>(std::lround(x))]; };
  EXPECT_GT(at(c.x + ux * d, c.y + uy * d), 0.f) << "along the face's axis";
  EXPECT_EQ(at(c.x - uy * d, c.y + ux * d), 0.f) << "across it";
  EXPECT_GT(std::abs(ux), 0.3) << "the face's axis is tilted";
}

TEST(PortraitPipeline, ManyFacesAndTinyOnesSkipped) {
  const Image input = make_scene(420, 300);
  std::vector<detect::Face> faces;
  for (int row = 0; row < 3; ++row)
    for (int col = 0; col < 5; ++col) faces.push_back(make_face(40 + col * 85, 50 + row * 100, 9 + col + row));
  faces.push_back(make_face(30, 280, 3));   // box ~7 px: below min_face
  faces.push_back(make_face(400, 280, 4));  // ~9 px
  CartoonOptions o;
  o.head_batch = 4;  // 15 heads in 4 device calls
  o.min_face = 12;   // the faces here are 20-34 px
  o.min_relative_sharpness = 0;
  CartoonReport report;
  auto out = fixture().pipeline(faces).process(input, o, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 15);
  EXPECT_EQ(report.faces_skipped, 2);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("2 faces smaller than"), std::string::npos) << report.notes[0];
  // Each face's centre shows its own head's colour (the heads here do not overlap there).
  for (size_t i = 0; i < 15; ++i) {
    const int cx = static_cast<int>((faces[i].x1 + faces[i].x2) / 2), cy = static_cast<int>((faces[i].y1 + faces[i].y2) / 2);
    EXPECT_TRUE(near_colour(&out->rgb[(cy * input.width + cx) * 3], head_colour(input, faces[i]), 2)) << "face " << i;
  }
  // The tiny faces' surroundings are the whole-frame result.
  const Image whole = fixture().whole(input);
  EXPECT_EQ(out->rgb[(299 * input.width + 0) * 3], whole.rgb[(299 * input.width + 0) * 3]);
}

// The defaults keep the frame result for a face too small to redraw, a detection the
// detector is unsure of and a face out of focus next to a sharp one; each says why, and
// only the good face's mask changes the picture.
TEST(PortraitPipeline, SmallUnsureAndBlurredFacesKeepTheFrame) {
  const Image input = textured_scene(480, 200, /*blur from*/ 360, /*to*/ 480);
  const detect::Face good = make_face(70, 100, 30);     // 68 px box, sharp texture
  const detect::Face small = make_face(170, 100, 15);   // 34 px box: under --min-face 48
  detect::Face unsure = make_face(270, 100, 30);        // a 0.7 detection
  unsure.score = 0.7f;
  const detect::Face blurred = make_face(420, 100, 30);  // in the blurred strip
  CartoonReport report;
  auto out = fixture().pipeline({good, small, unsure, blurred}).process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 1);
  EXPECT_EQ(report.faces_skipped, 3);
  ASSERT_EQ(report.detections.size(), 4u);
  std::map<std::string, int> verdicts;
  for (const FaceDecision& d : report.detections) ++verdicts[d.verdict];
  EXPECT_EQ(verdicts["head"], 1);
  EXPECT_EQ(verdicts["small"], 1);
  EXPECT_EQ(verdicts["low score"], 1);
  EXPECT_EQ(verdicts["out of focus"], 1);
  std::string notes;
  for (const std::string& n : report.notes) notes += n + "\n";
  EXPECT_NE(notes.find("--min-face"), std::string::npos) << notes;
  EXPECT_NE(notes.find("--face-score"), std::string::npos) << notes;
  EXPECT_NE(notes.find("out of focus"), std::string::npos) << notes;
  // No box smaller than the minimum was processed; outside the good face's mask the
  // result is the whole-frame one.
  for (const detect::Face& f : report.heads) EXPECT_GE(std::min(f.x2 - f.x1, f.y2 - f.y1), 48.f);
  EXPECT_GT(check_heads(input, *out, fixture().whole(input), {good}), 100);
}

// With one model for frame and heads, a head crop at the frame's own scale would only
// redraw what the frame pass drew: it is skipped and the result is the whole-frame one.
// Processed at half scale, the same face gains from a head pass at full scale.
TEST(PortraitPipeline, SameModelAtTheFramesScaleSkipsTheHeadPass) {
  const Image input = textured_scene(320, 320);
  const detect::Face face = make_face(160, 160, 60);  // a 256 crop at 1.007 crop px per px
  CartoonModels m;
  m.background = m.head = fixture().background;
  m.detect_faces = [face](const Image&) -> Result<std::vector<detect::Face>> { return std::vector{face}; };
  CartoonPipeline p(std::move(m));
  CartoonReport report;
  auto out = p.process(input, {}, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 0);
  ASSERT_EQ(report.detections.size(), 1u);
  EXPECT_EQ(report.detections[0].verdict, "native scale");
  EXPECT_EQ(out->rgb, fixture().whole(input).rgb);

  CartoonOptions half;
  half.resolution = 160;  // the frame at half scale
  auto sharper = p.process(input, half, &report);
  ASSERT_TRUE(sharper.is_ok()) << sharper.status().to_string();
  EXPECT_EQ(report.faces, 1) << "a head pass at twice the frame's scale";
  half.mode = CartoonMode::kWhole;
  EXPECT_NE(sharper->rgb, p.process(input, half)->rgb);
}

// The paste-back leaves no seam. Across the mask's falloff the result's gradient is the
// blend of the head's and the frame's own gradients plus a seam term |head - frame| *
// |grad mask|; that excess, measured where the mask crosses 0.5, is the seam energy. It
// must stay under a tenth of the image's own gradient level, while a hard-edged paste of
// the same head (the mask cut at 0.5) puts a step there that the same measure sees. The
// head is the photo itself on a stylized frame, so head and frame differ as much as a
// real style change.
TEST(PortraitPipeline, PasteBackLeavesNoSeam) {
  const Image input = textured_scene(300, 300);
  const detect::Face face = make_face(150, 150, 40);
  CartoonModels m;
  m.background = fixture().background;
  m.head = identity_model();
  m.detect_faces = [face](const Image&) -> Result<std::vector<detect::Face>> { return std::vector{face}; };
  CartoonPipeline p(std::move(m));
  CartoonReport report;
  auto out = p.process(input, small_faces(), &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(report.faces, 1);
  const Image frame = fixture().whole(input);
  const std::vector<float> mask = mask_of(input, face);
  Image hard = frame;  // the same head pasted with a hard edge
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i] >= 0.5f)
      for (int c = 0; c < 3; ++c) hard.rgb[i * 3 + c] = input.rgb[i * 3 + c];
  const int w = input.width;
  // |forward difference| of channel c at pixel i, horizontally plus vertically.
  auto grad = [w](const Image& img, size_t i, int c) {
    return std::abs(img.rgb[i * 3 + c] - img.rgb[(i - 1) * 3 + c]) +
           std::abs(img.rgb[i * 3 + c] - img.rgb[(i - w) * 3 + c]);
  };
  double level = 0, soft_excess = 0, hard_excess = 0;
  int n_all = 0, n_band = 0;
  for (int y = 1; y < input.height; ++y)
    for (int x = 1; x < w; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      for (int c = 0; c < 3; ++c) {
        level += grad(*out, i, c);
        ++n_all;
      }
      const float mw = mask[i];
      const bool crosses = (mw >= 0.5f) != (mask[i - 1] >= 0.5f) || (mw >= 0.5f) != (mask[i - w] >= 0.5f);
      if (!crosses) continue;
      for (int c = 0; c < 3; ++c) {
        const double own = mw * grad(input, i, c) + (1 - mw) * grad(frame, i, c);
        const double own_hard = (mw >= 0.5f ? 1.0 : 0.0) * grad(input, i, c) + (mw >= 0.5f ? 0.0 : 1.0) * grad(frame, i, c);
        soft_excess += std::max(0.0, grad(*out, i, c) - own);
        hard_excess += std::max(0.0, grad(hard, i, c) - own_hard);
        ++n_band;
      }
    }
  ASSERT_GT(n_band, 300);
  level /= n_all;
  soft_excess /= n_band;
  hard_excess /= n_band;
  std::printf("[ measure ] image gradient %.2f; seam energy where the mask crosses 0.5: feathered %.2f, "
              "hard %.2f\n", level, soft_excess, hard_excess);
  EXPECT_LT(soft_excess, 0.1 * level);
  EXPECT_GT(hard_excess, 0.3 * level) << "the measure must see a hard seam";
}

TEST(PortraitPipeline, LargestFaceIsPastedLast) {
  // Left of x = 145 red, right blue: the small face's crop is mostly red, the large
  // face's mostly blue, and their full-weight regions overlap.
  Image input = make_scene(300, 200);
  for (int y = 0; y < input.height; ++y)
    for (int x = 0; x < input.width; ++x) {
      uint8_t* p = &input.rgb[(y * input.width + x) * 3];
      p[0] = x < 145 ? 230 : 20;
      p[1] = static_cast<uint8_t>(40 + y / 4);
      p[2] = x < 145 ? 20 : 230;
    }
  const detect::Face small = make_face(120, 100, 20), large = make_face(175, 100, 40);
  const auto small_colour = head_colour(input, small), large_colour = head_colour(input, large);
  ASSERT_GT(small_colour[0], small_colour[2] + 60);
  ASSERT_GT(large_colour[2], large_colour[0] + 60);
  const auto ms = mask_of(input, small), ml = mask_of(input, large);
  for (auto order : {std::vector{small, large}, std::vector{large, small}}) {
    CartoonReport report;
    auto out = fixture().pipeline(order).process(input, small_faces(), &report);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    ASSERT_EQ(report.heads.size(), 2u);
    EXPECT_EQ(report.heads.back().x2 - report.heads.back().x1, large.x2 - large.x1) << "paste order";
    int overlap = 0, small_only = 0;
    for (size_t i = 0; i < ms.size(); ++i) {
      const uint8_t* p = &out->rgb[i * 3];
      if (ms[i] == 1.f && ml[i] == 1.f) {
        ++overlap;
        EXPECT_TRUE(near_colour(p, large_colour)) << "pixel " << i << " should show the larger face";
      } else if (ms[i] == 1.f && ml[i] == 0.f) {
        ++small_only;
        EXPECT_TRUE(near_colour(p, small_colour)) << "pixel " << i;
      }
    }
    EXPECT_GT(overlap, 300);
    EXPECT_GT(small_only, 300);
  }
}

TEST(PortraitPipeline, AlphaIsKept) {
  const Image input = make_scene(160, 120, /*with_alpha=*/true);
  const detect::Face face = make_face(80, 60, 20);
  CartoonReport report;
  auto out = fixture().pipeline({face}).process(input, small_faces(), &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(report.faces, 1);
  EXPECT_EQ(out->alpha, input.alpha);
}

TEST(PortraitPipeline, StrengthZeroReturnsTheOriginalAndHalfIsBetween) {
  const Image input = make_scene(160, 120, true);
  const detect::Face face = make_face(80, 60, 20);
  CartoonOptions o;
  o.strength = 0.f;
  auto out = fixture().pipeline({face}).process(input, o);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->rgb, input.rgb);
  EXPECT_EQ(out->alpha, input.alpha);

  auto full = fixture().pipeline({face}).process(input, {});
  o.strength = 0.5f;
  auto half = fixture().pipeline({face}).process(input, o);
  ASSERT_TRUE(full.is_ok() && half.is_ok());
  int off = 0;
  for (size_t i = 0; i < input.rgb.size(); ++i) {
    const int lo = std::min(input.rgb[i], full->rgb[i]), hi = std::max(input.rgb[i], full->rgb[i]);
    off += half->rgb[i] < lo || half->rgb[i] > hi || std::abs(2 * half->rgb[i] - input.rgb[i] - full->rgb[i]) > 1;
  }
  EXPECT_EQ(off, 0);
}

TEST(PortraitPipeline, LongSideUpscalesAndDownscales) {
  const Image input = make_scene(160, 120, true);
  const detect::Face face = make_face(80, 60, 20);
  for (auto [long_side, w, h] : {std::tuple{480, 480, 360}, std::tuple{64, 64, 48}, std::tuple{121, 121, 91}}) {
    CartoonOptions o = small_faces();
    o.long_side = long_side;
    CartoonReport report;
    auto out = fixture().pipeline({face}).process(input, o, &report);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ(out->width, w);
    EXPECT_EQ(out->height, h);
    EXPECT_EQ(out->alpha.size(), static_cast<size_t>(w * h));
    EXPECT_EQ(report.mode_used, CartoonMode::kPortrait);
  }
}

TEST(PortraitPipeline, BatchMatchesOneByOne) {
  const Image a = make_scene(160, 120), b = make_scene(160, 120, true);
  const detect::Face fa = make_face(60, 60, 18), fb = make_face(110, 50, 22, -20);
  CartoonModels m;
  m.background = fixture().background;
  m.head = fixture().head;
  m.detect_faces = [&](const Image& img) -> Result<std::vector<detect::Face>> {
    return std::vector<detect::Face>{img.has_alpha() ? fb : fa};
  };
  CartoonPipeline p(std::move(m));
  std::vector<CartoonReport> reports;
  auto outs = p.process_batch({&a, &b}, small_faces(), &reports);
  ASSERT_TRUE(outs.is_ok()) << outs.status().to_string();
  ASSERT_EQ(outs->size(), 2u);
  ASSERT_EQ(reports.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const Image& in = i == 0 ? a : b;
    auto one = p.process(in, small_faces());
    ASSERT_TRUE(one.is_ok());
    EXPECT_EQ(reports[i].faces, 1);
    EXPECT_EQ((*outs)[i].alpha, in.alpha);
    int worst = 0;
    for (size_t k = 0; k < one->rgb.size(); ++k) worst = std::max(worst, std::abs((*outs)[i].rgb[k] - one->rgb[k]));
    EXPECT_LE(worst, 1) << "image " << i;  // a real device batch may round differently
  }
  const Image c = make_scene(100, 120);
  EXPECT_FALSE(p.process_batch({&a, &c}, {}).is_ok());
}

}  // namespace
}  // namespace toonbox
