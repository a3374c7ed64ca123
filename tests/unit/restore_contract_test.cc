// Face restorers recognised from their ONNX interface and file name
// (models/face_restore_contract.h): the registry's templates, sizes and licences, and the
// refusals of what toonbox cannot drive.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "import/onnx/onnx_importer.h"
#include "models/face_restore_contract.h"
#include "unit/onnx_test_util.h"

using namespace toonbox::models;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("toonbox_restore_contract_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

// A restorer-shaped model: `input` (+ optional `weight`) -> Neg -> `output`.
Result<FaceRestoreContract> contract_of(const std::string& file, std::vector<int64_t> dims, bool weight = false,
                                        FaceRestoreOverrides o = {}, std::vector<int64_t> weight_dims = {1}) {
  test::OnnxWriter w;
  w.input("input", dims);
  if (weight) w.input("weight", weight_dims);
  w.node("Neg", {"input"}, {"output"});
  w.output("output");
  const fs::path p = temp_dir() / file;
  EXPECT_TRUE(w.save(p.string()));
  auto g = onnx_import::import_onnx_model(p.string());
  EXPECT_TRUE(g.is_ok()) << g.status().to_string();
  if (!g.is_ok()) return g.status();
  return face_restore_contract(g.value(), p.string(), o);
}

TEST(RestoreTemplate, FfhqIsFacexlibsScaledByTheCropSize) {
  const auto t512 = face_template_points(FaceTemplate::kFfhq, 512);
  EXPECT_DOUBLE_EQ(t512[0].x, 192.98138);
  EXPECT_DOUBLE_EQ(t512[4].y, 371.15118);
  const auto t1024 = face_template_points(FaceTemplate::kFfhq, 1024);
  const auto t256 = face_template_points(FaceTemplate::kFfhq, 256);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(t1024[i].x, 2 * t512[i].x, 1e-9);
    EXPECT_NEAR(t256[i].y, t512[i].y / 2, 1e-9);
  }
}

TEST(RestoreTemplate, GpenIsArcFaceWithQuarterInnerPadding) {
  // align_faces.py at in_size 512: (38.29459953 + 28) * 512 / 168 for the right eye's x.
  const auto t = face_template_points(FaceTemplate::kGpen, 512);
  EXPECT_NEAR(t[0].x, (38.29459953 + 28) * 512 / 168, 1e-9);
  EXPECT_NEAR(t[3].y, (92.3655014 + 28) * 512 / 168, 1e-9);
  // Different from FFHQ by several pixels: a wrong template would be visible.
  EXPECT_GT(std::abs(t[0].x - face_template_points(FaceTemplate::kFfhq, 512)[0].x), 5);
  const auto a = face_template_points(FaceTemplate::kArcFace128, 256);
  EXPECT_NEAR(a[2].x, 0.50019687 * 256, 1e-9);
}

TEST(RestoreTemplate, NamesParseAndUnknownOnesAreRefused) {
  for (FaceTemplate t : {FaceTemplate::kFfhq, FaceTemplate::kArcFace128, FaceTemplate::kGpen})
    EXPECT_EQ(parse_face_template(face_template_name(t)).value(), t);
  auto bad = parse_face_template("mtcnn");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("unknown face template 'mtcnn'"), std::string::npos);
}

TEST(RestoreContract, FacefusionFileNamesAreRecognisedWithTheirLicences) {
  auto g = contract_of("gfpgan_1.4.onnx", {1, 3, 512, 512});
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  EXPECT_EQ(g->model, "gfpgan-1.4");
  EXPECT_EQ(g->licence, "Apache-2.0");
  EXPECT_FALSE(g->non_commercial);
  EXPECT_EQ(g->face_template, FaceTemplate::kFfhq);
  EXPECT_EQ(g->size, 512);
  EXPECT_EQ(g->image_input, "input");
  EXPECT_EQ(g->pixels.layout, Layout::kNCHW);
  EXPECT_FLOAT_EQ(g->pixels.input_range.lo, -1.f);

  auto gpen = contract_of("gpen_bfr_256.onnx", {1, 3, 256, 256});
  ASSERT_TRUE(gpen.is_ok()) << gpen.status().to_string();
  EXPECT_EQ(gpen->model, "gpen-bfr-256");
  EXPECT_TRUE(gpen->non_commercial);
  EXPECT_EQ(gpen->face_template, FaceTemplate::kGpen);
  EXPECT_NE(gpen->licence.find("non-commercial"), std::string::npos);

  auto v14 = contract_of("GFPGANv1.4.onnx", {1, 3, 512, 512});
  ASSERT_TRUE(v14.is_ok());
  EXPECT_EQ(v14->model, "gfpgan-1.4");

  auto cf = contract_of("codeformer.onnx", {1, 3, 512, 512}, /*weight=*/true);
  ASSERT_TRUE(cf.is_ok()) << cf.status().to_string();
  EXPECT_EQ(cf->model, "codeformer");
  EXPECT_EQ(cf->fidelity_input, "weight");
  EXPECT_TRUE(cf->non_commercial);
  EXPECT_EQ(cf->fidelity_shape, (Shape{1}));

  auto rf = contract_of("restoreformer_plus_plus.onnx", {1, 3, 512, 512});
  ASSERT_TRUE(rf.is_ok());
  EXPECT_EQ(rf->model, "restoreformer-plus-plus");
  // A dynamic batch is fine (and what batching wants).
  EXPECT_TRUE(contract_of("gpen_bfr_1024.onnx", {-1, 3, 1024, 1024}).is_ok());
}

TEST(RestoreContract, TemplateOverrideIsApplied) {
  FaceRestoreOverrides o;
  o.face_template = FaceTemplate::kArcFace128;
  auto gpen = contract_of("gpen_bfr_256.onnx", {1, 3, 256, 256}, false, o);
  ASSERT_TRUE(gpen.is_ok());
  EXPECT_EQ(gpen->face_template, FaceTemplate::kArcFace128);
  EXPECT_NE(gpen->how.find("--face-template"), std::string::npos);
}

TEST(RestoreContract, UnknownModelsGetTheirSizeFromTheInputOrTheFlag) {
  auto u = contract_of("my_restorer.onnx", {1, 3, 512, 512});
  ASSERT_TRUE(u.is_ok()) << u.status().to_string();
  EXPECT_EQ(u->known, nullptr);
  EXPECT_EQ(u->size, 512);
  EXPECT_EQ(u->face_template, FaceTemplate::kFfhq);
  EXPECT_NE(u->licence.find("unknown"), std::string::npos);

  auto dyn = contract_of("dyn.onnx", {1, 3, -1, -1});
  ASSERT_FALSE(dyn.is_ok());
  EXPECT_NE(dyn.status().message().find("--face-size"), std::string::npos) << dyn.status().message();
  FaceRestoreOverrides o;
  o.size = 384;
  auto sized = contract_of("dyn.onnx", {1, 3, -1, -1}, false, o);
  ASSERT_TRUE(sized.is_ok());
  EXPECT_EQ(sized->size, 384);
}

TEST(RestoreContract, WhatCannotBeDrivenIsRefusedSayingWhy) {
  struct Case {
    const char* file;
    std::vector<int64_t> dims;
    bool weight;
    const char* says;
  };
  const Case cases[] = {
      {"gpen_bfr_512.onnx", {1, 3, 256, 256}, false, "named like gpen-bfr-512 (512 px faces) but its face size is 256"},
      {"codeformer.onnx", {1, 3, 512, 512}, false, "has a 'weight' (fidelity) input; this file has none"},
      {"gfpgan_1.3.onnx", {1, 3, 512, 512}, true, "has one input; this file also has 'weight'"},
      {"wide.onnx", {1, 3, 512, 256}, false, "face crops are square"},
      {"grey.onnx", {1, 1, 512, 512}, false, "got 1 channels, expected 3"},
      {"huge.onnx", {1, 3, 4096, 4096}, false, "got 4096, expected 64..2048"},
      {"batch4.onnx", {4, 3, 512, 512}, false, "fixed batch of 4"},
  };
  for (const Case& c : cases) {
    auto r = contract_of(c.file, c.dims, c.weight);
    ASSERT_FALSE(r.is_ok()) << c.file;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << c.file << ": " << r.status().message();
    EXPECT_NE(r.status().message().find(c.file), std::string::npos) << "names the file: " << r.status().message();
  }
  // An extra input that is not the one-number weight.
  auto extra = contract_of("x.onnx", {1, 3, 512, 512}, true, {}, {1, 16});
  ASSERT_FALSE(extra.is_ok());
  EXPECT_NE(extra.status().message().find("input 'weight'"), std::string::npos) << extra.status().message();
}

}  // namespace
}  // namespace toonbox
