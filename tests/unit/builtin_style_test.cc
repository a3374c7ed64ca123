// The built-in classic style: it must compile to compute ops only (the shape chain that
// builds the window-count map folds away), and do what it claims on synthetic images:
// flat brightness bands, dark lines at strong edges, colours kept, alpha untouched.
#include <gtest/gtest.h>

#include <set>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "engine/device_select.h"
#include "ops/op_defs.h"
#include "pipeline/builtin_style.h"
#include "pipeline/model_runner.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

ModelRunner classic_on_cpu() {
  ModelSource m;
  m.name = kBuiltinStyleName;
  m.builtin = true;
  m.graph = build_classic_cartoon_graph();
  m.contract.size_multiple = 1;
  m.margin = 8;
  auto device = select_device("cpu", "fp32");
  return ModelRunner(std::move(m), device.value());
}

TEST(BuiltinStyle, SpecializesToComputeOpsOnly) {
  auto s = specialize(build_classic_cartoon_graph(), {{1, 37, 53, 3}});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  for (const Node& n : s->nodes()) EXPECT_FALSE(is_shape_op(n.kind)) << n.name;
  EXPECT_EQ(s->value(s->outputs()[0]).shape, (Shape{1, 37, 53, 3}));
}

TEST(BuiltinStyle, BandsSmoothGradientsAndInksEdges) {
  // Left: a smooth horizontal gradient; right: flat dark | flat bright with a sharp edge.
  Image img;
  img.width = 120;
  img.height = 40;
  img.rgb.resize(img.width * img.height * 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      uint8_t v = x < 60 ? static_cast<uint8_t>(40 + x * 3) : (x < 90 ? 60 : 220);
      for (int c = 0; c < 3; ++c) img.rgb[(y * img.width + x) * 3 + c] = v;
    }
  img.alpha.assign(img.width * img.height, 77);
  ModelRunner toon = classic_on_cpu();
  auto out = toon.stylize(img);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->width, img.width);
  ASSERT_EQ(out->height, img.height);
  EXPECT_EQ(out->alpha, img.alpha);  // alpha passed through unchanged

  const int row = 20;
  auto at = [&](int x) { return out->rgb[(row * out->width + x) * 3]; };
  // The gradient (60 distinct input levels) collapses into a few flat bands.
  std::set<int> levels;
  for (int x = 10; x < 50; ++x) levels.insert(at(x) / 4);
  EXPECT_LE(levels.size(), 8u) << "gradient was not banded";
  // The sharp edge at x = 90 is inked darker than both flat sides.
  int darkest = 255;
  for (int x = 86; x < 94; ++x) darkest = std::min(darkest, static_cast<int>(at(x)));
  EXPECT_LT(darkest, at(80) - 20);
  EXPECT_LT(darkest, at(105) - 100);
  // Grey stays grey: brightness quantization keeps hue.
  const uint8_t* px = &out->rgb[(row * out->width + 105) * 3];
  EXPECT_NEAR(px[0], px[1], 2);
  EXPECT_NEAR(px[1], px[2], 2);
}

}  // namespace
}  // namespace toonbox
