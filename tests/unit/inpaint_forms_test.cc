// The inpainting model forms (models/inpaint_forms.h): their recorded conventions, and
// which form a graph's inputs and last op identify.
#include <gtest/gtest.h>

#include "models/inpaint_forms.h"

using namespace toonbox::models;
using namespace toonbox::graph;

namespace toonbox {
namespace {

Graph two_inputs(const char* a, Shape sa, const char* b, Shape sb) {
  Graph g;
  const int x = g.add_input(a, DType::kFloat32, std::move(sa));
  const int m = g.add_input(b, DType::kFloat32, std::move(sb));
  g.add_output(g.add_node(OpKind::kBinary, "mul", {x, m}, BinaryParams{BinaryOp::kMul}));
  return g;
}

Graph four_channels(UnaryOp last) {
  Graph g;
  const int x = g.add_input("input", DType::kFloat32, {1, 4, -1, -1});
  g.add_output(g.add_node(OpKind::kUnary, "out", {x}, UnaryParams{last}));
  return g;
}

TEST(InpaintForms, RecordTheMaskConventions) {
  const InpaintForm* lama = find_inpaint_form("lama-image-mask");
  ASSERT_NE(lama, nullptr);
  EXPECT_EQ(lama->mask, MaskConvention::kOneIsHole);
  EXPECT_STREQ(lama->image_input, "image");
  EXPECT_STREQ(lama->mask_input, "mask");
  EXPECT_EQ(lama->output_range.hi, 255.f);
  const InpaintForm* pipeline = find_inpaint_form("migan-pipeline");
  ASSERT_NE(pipeline, nullptr);
  EXPECT_EQ(pipeline->mask, MaskConvention::kByte255IsKnown);
  EXPECT_NE(std::string(pipeline->refusal), "");
  EXPECT_EQ(find_inpaint_form("migan-generator")->mask, MaskConvention::kZeroIsHole);
  EXPECT_EQ(find_inpaint_form("lama-4ch")->size_multiple, 8);
  EXPECT_EQ(find_inpaint_form("nope"), nullptr);
}

TEST(InpaintForms, IdentifiedFromTheGraph) {
  auto carve =
      identify_inpaint_form(two_inputs("image", {1, 3, 512, 512}, "mask", {1, 1, 512, 512}));
  ASSERT_TRUE(carve.is_ok()) << carve.status().to_string();
  EXPECT_STREQ((*carve)->id, "lama-image-mask");
  auto swapped = identify_inpaint_form(two_inputs("mask", {1, 1, 64, 64}, "image", {1, 3, 64, 64}));
  ASSERT_TRUE(swapped.is_ok());
  EXPECT_STREQ((*swapped)->id, "lama-image-mask");
  auto lama = identify_inpaint_form(four_channels(UnaryOp::kSigmoid));
  ASSERT_TRUE(lama.is_ok());
  EXPECT_STREQ((*lama)->id, "lama-4ch");
  auto migan = identify_inpaint_form(four_channels(UnaryOp::kIdentity));
  ASSERT_TRUE(migan.is_ok());
  EXPECT_STREQ((*migan)->id, "migan-generator");
}

TEST(InpaintForms, AnythingElseIsRefusedWithWhatWasFound) {
  auto r = identify_inpaint_form(two_inputs("image", {1, 3, 64, 64}, "mask", {1, 3, 64, 64}));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("'mask' [1,3,64,64]"), std::string::npos)
      << r.status().message();
  Graph rgb;
  const int x = rgb.add_input("x", DType::kFloat32, {1, 3, -1, -1});
  rgb.add_output(rgb.add_node(OpKind::kUnary, "y", {x}, UnaryParams{UnaryOp::kSigmoid}));
  auto r2 = identify_inpaint_form(rgb);
  ASSERT_FALSE(r2.is_ok());
  EXPECT_NE(r2.status().message().find("[1,4,H,W]"), std::string::npos) << r2.status().message();
}

}  // namespace
}  // namespace toonbox
