// POST /api/v1/restore and the "restore" list of GET /api/v1/models: the refusals that
// need no data (parameters, nothing installed), then, with the shared YuNet and a shared
// photo (skipped without them), a real restore through a stand-in restorer (the colour
// negative, so the face region visibly changes and nothing else may), no face (passed
// through with a note; with faces_only a 422), a face under the minimum size, corrupt
// uploads. The restorers are generated here (onnx_test_util.h); no real weights.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "image/resize.h"
#include "models/registry.h"
#include "unit/inpaint_test_util.h"
#include "unit/restore_test_util.h"
#include "unit/server_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;

namespace toonbox {
namespace {

namespace fs = std::filesystem;
using server_test::decode_bytes;
using server_test::error_message;
using server_test::json_of;
using server_test::png_bytes;
using server_test::ServerHarness;

// Installs a stand-in restorer named like facefusion's GFPGAN 1.4 export (so the registry
// knows it: 512 px faces, Apache-2.0) into the harness's models folder.
void install_restorer(const fs::path& dir, const std::string& file, const std::string& name,
                      const std::string& op, bool weight = false) {
  const fs::path p = dir / file;
  ASSERT_TRUE(test::write_face_restorer(p.string(), op, 512, weight));
  auto installed = import_model(p.string(), ImportOptions{name, false, {}, ""});
  ASSERT_TRUE(installed.is_ok()) << installed.status().to_string();
}

fs::path shared_yunet() {
  return test::shared_images().parent_path() / "models" / "yunet" / "yunet_n_dynamic.onnx";
}

httplib::Result restore(const ServerHarness& h, const std::string& image,
                        const std::string& query = "") {
  httplib::MultipartFormDataItems items = {{"image", image, "photo.png", "image/png"}};
  return h.client()->Post(("/api/v1/restore" + query).c_str(), items);
}

TEST(ServerRestore, RefusalsBeforeAnyWork) {
  ServerHarness h;
  const std::string img = png_bytes(16, 16);
  server_test::expect_refusals(
      {
          {"?fidelity=2", 400, "fidelity must be a number in 0..1, got '2'"},
          {"?fidelity=high", 400, "fidelity must be a number in 0..1"},
          {"?upscale=8", 400, "upscale must be an integer in 1..4, got '8'"},
          {"?faces_only=maybe", 400, "faces_only must be true, false, 1 or 0"},
          {"?strength=1", 400, "unknown parameter 'strength'"},
          {"?format=gif", 400, "format must be png, jpeg or webp"},
          {"?model=../gfpgan.onnx", 400, "is not a model name"},
          {"", 404, "no face restorer installed"},
          {"?model=gfpgan", 404, "no face restorer named 'gfpgan' is installed"},
      },
      [&](const std::string& query) { return restore(h, img, query); });
  // The models list says there is nothing to restore with.
  auto models = json_of(h.client()->Get("/api/v1/models"));
  ASSERT_TRUE(models.contains("restore")) << models.dump();
  EXPECT_TRUE(models["restore"]["models"].empty());
  EXPECT_EQ(models["restore"]["upscale"], nlohmann::json::array({1}));
  EXPECT_EQ(models["restore"]["min_face"], kMinRestoreFace);
  EXPECT_EQ(h.hooks->run_count(), 0);  // nothing reached the device
}

TEST(ServerRestore, ModelsListTheRestorersWithTheirLicences) {
  ServerHarness h;
  const fs::path dir = test::fresh_temp_dir("toonbox_server_restore_list");
  install_restorer(dir, "gfpgan_1.4.onnx", "gfpgan", "Neg");
  install_restorer(dir, "codeformer.onnx", "codeformer", "Mul", /*weight=*/true);
  auto j = json_of(h.client()->Get("/api/v1/models"));
  ASSERT_TRUE(j.contains("restore")) << j.dump();
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& m : j["restore"]["models"]) by_name[m.value("name", "")] = m;
  ASSERT_EQ(by_name.size(), 2u) << j.dump();
  EXPECT_EQ(by_name["gfpgan"]["licence"], "Apache-2.0");
  EXPECT_EQ(by_name["gfpgan"]["non_commercial"], false);
  EXPECT_EQ(by_name["gfpgan"]["fidelity"], false);
  EXPECT_EQ(by_name["gfpgan"]["face_size"], 512);
  EXPECT_EQ(by_name["codeformer"]["non_commercial"], true);
  EXPECT_EQ(by_name["codeformer"]["fidelity"], true);
  // Restorers are not styles: the style list does not offer them.
  for (const auto& m : j["models"]) EXPECT_NE(m.value("name", ""), "gfpgan") << j.dump();
  // Two installed and none named: the request must choose, and is told how.
  auto r = restore(h, png_bytes(16, 16));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(error_message(r).find("several face restorers are installed"), std::string::npos)
      << error_message(r);
  EXPECT_NE(error_message(r).find("'model' parameter"), std::string::npos) << error_message(r);
  // A restorer alone is not enough: faces must be found first.
  r = restore(h, png_bytes(16, 16), "?model=gfpgan");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_NE(error_message(r).find("restoring faces needs a face detector"), std::string::npos)
      << error_message(r);
  // upscale=2 without the upscale task's model names it (checked before the detector).
  r = restore(h, png_bytes(16, 16), "?model=gfpgan&upscale=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_NE(error_message(r).find("realesr-animevideov3-x2"), std::string::npos)
      << error_message(r);
  EXPECT_EQ(h.hooks->run_count(), 0);
}

// The mean absolute difference of two same-size images over a rectangle.
double mean_diff(const Image& a, const Image& b, int x0, int y0, int x1, int y1) {
  double sum = 0;
  int64_t n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      for (int c = 0; c < 3; ++c, ++n) {
        const size_t i = (static_cast<size_t>(y) * a.width + x) * 3 + c;
        sum += std::abs(static_cast<int>(a.rgb[i]) - static_cast<int>(b.rgb[i]));
      }
  return n ? sum / static_cast<double>(n) : 0;
}

class ServerRestorePhoto : public ::testing::Test {
 protected:
  void SetUp() override {
    photo_ = test::shared_images() / "gfpgan_Blake_Lively.jpg";
    if (!fs::exists(shared_yunet()) || !fs::exists(photo_))
      GTEST_SKIP() << "needs the shared YuNet (" << shared_yunet() << ") and " << photo_;
    auto detector = import_model(shared_yunet().string(), ImportOptions{"yunet", false, {}, ""});
    ASSERT_TRUE(detector.is_ok()) << detector.status().to_string();
    install_restorer(test::fresh_temp_dir("toonbox_server_restore_photo"), "gfpgan_1.4.onnx",
                     "gfpgan", "Neg");
    std::ifstream f(photo_, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(f), {});
  }
  ServerHarness h_;
  fs::path photo_;
  std::string bytes_;
};

TEST_F(ServerRestorePhoto, RestoresTheFacesAndLeavesTheRest) {
  auto r = restore(h_, bytes_, "?format=png");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Mode"), "restore");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Model"), "gfpgan");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Restorer"), "gfpgan-1.4");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Licence"), "Apache-2.0");
  const int faces = std::atoi(r->get_header_value("X-Toonbox-Faces").c_str());
  EXPECT_GE(faces, 1) << r->get_header_value("X-Toonbox-Notes");
  EXPECT_GE(std::atoi(r->get_header_value("X-Toonbox-Faces-Found").c_str()), faces);
  EXPECT_NE(r->get_header_value("Content-Disposition").find("photo-restored.png"),
            std::string::npos)
      << r->get_header_value("Content-Disposition");
  auto out = decode_bytes(r->body);
  auto in = decode_bytes(bytes_);
  ASSERT_TRUE(out.is_ok() && in.is_ok());
  ASSERT_EQ(out->width, in->width);
  ASSERT_EQ(out->height, in->height);
  // The negative restorer changed a lot somewhere (the faces) and the image's corners
  // (background) not at all: the paste keeps the background's own pixels.
  EXPECT_GT(mean_diff(*in, *out, 0, 0, in->width, in->height), 2.0);
  EXPECT_EQ(mean_diff(*in, *out, 0, 0, 40, 40), 0.0);
  EXPECT_EQ(mean_diff(*in, *out, in->width - 40, in->height - 40, in->width, in->height), 0.0);

  // A fidelity weight for a model without one is accepted and noted.
  auto noted = restore(h_, bytes_, "?fidelity=0.9");
  ASSERT_TRUE(noted);
  EXPECT_EQ(noted->status, 200) << noted->body;
  EXPECT_NE(noted->get_header_value("X-Toonbox-Notes").find("has no fidelity input"),
            std::string::npos)
      << noted->get_header_value("X-Toonbox-Notes");
}

TEST_F(ServerRestorePhoto, NoFacePassesThroughOrIs422WithFacesOnly) {
  const Image plain = server_test::test_image(64, 48);
  auto r = restore(h_, png_bytes(plain));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-Toonbox-Faces"), "0");
  EXPECT_NE(r->get_header_value("X-Toonbox-Notes")
                .find("no face found: the image is passed through unchanged"),
            std::string::npos)
      << r->get_header_value("X-Toonbox-Notes");
  auto out = decode_bytes(r->body);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->rgb, plain.rgb);

  auto none = restore(h_, png_bytes(plain), "?faces_only=true");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 422) << none->body;
  auto j = json_of(none);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << none->body;
  EXPECT_EQ(j["error"].value("code", ""), "no_face") << none->body;
  EXPECT_NE(error_message(none).find("no face found"), std::string::npos) << error_message(none);
}

// The photo at 45 px wide: YuNet still finds a face, 14 px across, under the documented
// minimum of 16 px (kMinRestoreFace): it is counted as skipped and the note says why.
TEST_F(ServerRestorePhoto, FacesTooSmallAreSkippedAndSaidSo) {
  auto in = decode_bytes(bytes_);
  ASSERT_TRUE(in.is_ok());
  const Image small = resize_image(*in, 45, 30);
  auto r = restore(h_, png_bytes(small));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string notes = r->get_header_value("X-Toonbox-Notes");
  EXPECT_EQ(r->get_header_value("X-Toonbox-Faces"), "0") << notes;
  EXPECT_GE(std::atoi(r->get_header_value("X-Toonbox-Faces-Skipped").c_str()), 1) << notes;
  EXPECT_NE(notes.find("smaller than " + std::to_string(kMinRestoreFace) +
                       " px not restored (too small to restore)"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("no face restored: the image is passed through unchanged"),
            std::string::npos)
      << notes;
}

TEST_F(ServerRestorePhoto, BadUploadsAreTheClientsError) {
  std::string truncated = bytes_.substr(0, 300);
  for (const std::string& bad : {std::string("this is not an image"), truncated}) {
    auto r = restore(h_, bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_FALSE(error_message(r).empty());
  }
  auto empty = h_.client()->Post("/api/v1/restore", "", "image/png");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  EXPECT_NE(error_message(empty).find("no image"), std::string::npos);
  // The raw body works as for the other routes.
  auto raw = h_.client()->Post("/api/v1/restore?model=gfpgan", bytes_, "image/jpeg");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200) << raw->body;
}

}  // namespace
}  // namespace toonbox
