// Face decoding without a network: synthetic raw outputs with one known face per model,
// checked against the formulas, and NMS on overlapping boxes.
#include <gtest/gtest.h>

#include <cmath>

#include "detect/face_decode.h"

namespace toonbox::detect {
namespace {

TEST(FaceDecode, NmsKeepsTheBestOfOverlappingBoxes) {
  std::vector<Face> faces = {
      {0, 0, 10, 10, 0.7f, {}, 0}, {1, 1, 11, 11, 0.9f, {}, 1}, {50, 50, 60, 60, 0.8f, {}, 2}};
  auto kept = non_max_suppression(faces, 0.3f, 10);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].anchor, 1);
  EXPECT_EQ(kept[1].anchor, 2);
  EXPECT_NEAR(iou(faces[0], faces[0]), 1.0, 1e-6);
  EXPECT_EQ(iou(faces[0], faces[2]), 0.f);
}

TEST(FaceDecode, YuNetCellToPixels) {
  const int w = 64, h = 32;  // strides 8/16/32: 8x4, 4x2, 2x1 cells
  std::vector<Tensor> out;
  const int64_t cells[3] = {32, 8, 2};
  for (int k : {1, 1, 4, 10})
    for (int64_t n : cells) out.push_back(Tensor(DType::kFloat32, {1, n, k}));
  // One face at stride 16, cell (row 1, col 2): cls 0.81, obj 1 -> score 0.9.
  const int64_t i = 1 * 4 + 2;
  out[1].data<float>()[i] = 0.81f;
  out[4].data<float>()[i] = 1.f;
  float* b = out[7].data<float>() + i * 4;
  b[0] = 0.5f, b[1] = 0.25f, b[2] = std::log(2.f), b[3] = 0.f;
  out[10].data<float>()[i * 10] = 1.f;
  auto faces = decode_yunet(out, w, h, DecodeOptions{});
  ASSERT_TRUE(faces.is_ok()) << faces.status().to_string();
  ASSERT_EQ(faces->size(), 1u);
  const Face& f = (*faces)[0];
  EXPECT_NEAR(f.score, 0.9f, 1e-5);
  // centre ((2 + 0.5) * 16, (1 + 0.25) * 16) = (40, 20); size (32, 16).
  EXPECT_NEAR(f.x1, 24.f, 1e-4);
  EXPECT_NEAR(f.y1, 12.f, 1e-4);
  EXPECT_NEAR(f.x2, 56.f, 1e-4);
  EXPECT_NEAR(f.y2, 28.f, 1e-4);
  EXPECT_NEAR(f.landmarks[0], 48.f, 1e-4);
  EXPECT_NEAR(f.landmarks[1], 16.f, 1e-4);
  EXPECT_EQ(f.anchor, 32 + i);
  out.pop_back();
  EXPECT_FALSE(decode_yunet(out, w, h, DecodeOptions{}).is_ok());
}

TEST(FaceDecode, RetinaFacePriorsAndVariances) {
  const int w = 64, h = 32;
  // Priors: 8x4x2 + 4x2x2 + 2x1x2 = 64 + 16 + 4.
  const int64_t a = 84;
  std::vector<Tensor> out = {Tensor(DType::kFloat32, {1, a, 4}), Tensor(DType::kFloat32, {1, a, 2}),
                             Tensor(DType::kFloat32, {1, a, 10})};
  // Prior 1: level 0, cell (0, 0), min size 32: centre (4, 4)/(64, 32), size 32/64 x 32/32.
  out[1].data<float>()[1 * 2 + 1] = 0.95f;
  float* l = out[0].data<float>() + 4;
  l[0] = 1.f, l[1] = 0.f, l[2] = 0.f, l[3] = 5.f * std::log(2.f);
  auto faces = decode_retinaface(out, w, h, DecodeOptions{});
  ASSERT_TRUE(faces.is_ok()) << faces.status().to_string();
  ASSERT_EQ(faces->size(), 1u);
  const Face& f = (*faces)[0];
  // cx = 4 + 1 * 0.1 * 32 = 7.2 px; w = 32 px; h = 32 * 2 = 64 px; cy = 4.
  EXPECT_NEAR(f.x1, 7.2f - 16.f, 1e-3);
  EXPECT_NEAR(f.x2, 7.2f + 16.f, 1e-3);
  EXPECT_NEAR(f.y1, 4.f - 32.f, 1e-3);
  EXPECT_NEAR(f.y2, 4.f + 32.f, 1e-3);
  EXPECT_NEAR(f.landmarks[0], 4.f, 1e-4);
  EXPECT_EQ(f.anchor, 1);
}

}  // namespace
}  // namespace toonbox::detect
