#include <gtest/gtest.h>

#include "core/status.h"
#include "core/tensor.h"

namespace toonbox {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("got " + std::to_string(v) + ", expected > 0");
  return v;
}

Status use_macros(int v, int* out) {
  TB_ASSIGN_OR_RETURN(int x, parse_positive(v));
  *out = x * 2;
  return Status::ok();
}

TEST(Status, MacrosPropagateErrorsAndValues) {
  int out = 0;
  EXPECT_TRUE(use_macros(3, &out).is_ok());
  EXPECT_EQ(out, 6);
  Status s = use_macros(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("got -1"), std::string::npos);
  EXPECT_EQ(s.with_context("flag --n").message(), "flag --n: got -1, expected > 0");
}

TEST(Half, RoundTripAndRounding) {
  for (float f : {0.f, 1.f, -2.5f, 65504.f, 6.1035156e-05f, 5.9604645e-08f, 0.1f}) {
    EXPECT_NEAR(half_to_float(float_to_half(f)), f, std::abs(f) * 1e-3 + 1e-7) << f;
  }
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(65520.f), 0x7c00);  // rounds to Inf
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie to even stays
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);  // tie to even rounds up
  // every half value survives a round trip exactly
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h);
  }
}

// Every parser of precision words (CLI, server, bench) goes through this pair.
TEST(Precision, NamesRoundTripAndOtherWordsAreRefused) {
  for (Precision p : {Precision::kFloat32, Precision::kFloat16, Precision::kTf32})
    EXPECT_EQ(precision_from_name(precision_name(p)), p);
  EXPECT_FALSE(precision_from_name("auto"));
  EXPECT_FALSE(precision_from_name("FP16"));
  EXPECT_FALSE(precision_from_name(""));
  EXPECT_FALSE(precision_from_name("fp16 "));
}

TEST(Tensor, CheckShapeRejectsOverflowAndNegative) {
  EXPECT_TRUE(check_shape({2, 3}, 100, "t").is_ok());
  EXPECT_EQ(check_shape({-1, 3}, 100, "t").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_shape({1LL << 40, 1LL << 40}, 1LL << 50, "t").code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace toonbox
