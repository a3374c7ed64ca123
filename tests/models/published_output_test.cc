// White-box against its authors' published cartoons: the README sheet
// (../shared/images/wb_readme_person2.jpg) shows four rows of photo | cartoon, two pairs a
// row. Each photo panel is cut out, upscaled 3x (Lanczos-3: the published inputs were
// larger than the sheet's panels), cartoonized by toonbox exactly as a user would (the
// model reached by its folder, so by digest; whole mode; default resolution), box-averaged
// back down and compared with the published cartoon beside it.
//
// This is the check that catches a wrong contract, which an oracle fed the same tensor
// cannot: fed RGB, White-box gives olive skin and 22 dB; fed BGR, as the authors' OpenCV
// code does, about 25.6 dB with colours within a level. The test runs both and requires the
// authors' contract to win by the margins below.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "engine/device_select.h"
#include "image/image_io.h"
#include "models/photo_util.h"
#include "pipeline/cartoon_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

// Panel rectangles of the sheet (983x1280), found from its white gutters: columns photo,
// cartoon, photo, cartoon; four rows. The panels are not pixel-aligned with each other, so
// each comparison searches a small offset.
constexpr int kCols[4][2] = {{0, 229}, {250, 480}, {504, 733}, {754, 983}};
constexpr int kRows[4][2] = {{0, 305}, {313, 619}, {627, 933}, {942, 1248}};
constexpr int kUpscale = 3;
constexpr int kMargin = 6;  // panel border pixels left out of the comparison
constexpr int kSearch = 4;  // +- pixels of registration between photo and cartoon panels

Image crop(const Image& sheet, int x0, int y0, int x1, int y1) {
  Image out;
  out.width = x1 - x0;
  out.height = y1 - y0;
  for (int y = y0; y < y1; ++y)
    out.rgb.insert(out.rgb.end(), sheet.rgb.begin() + (static_cast<size_t>(y) * sheet.width + x0) * 3,
                   sheet.rgb.begin() + (static_cast<size_t>(y) * sheet.width + x1) * 3);
  return out;
}

double lanczos3(double x) {
  if (x == 0) return 1;
  if (std::abs(x) >= 3) return 0;
  const double px = M_PI * x;
  return 3 * std::sin(px) * std::sin(px / 3) / (px * px);
}

// Separable Lanczos-3 upscale by an integer factor (pixel centres aligned, edges clamped),
// as PIL's Image.resize(..., LANCZOS) does for upscaling.
Image upscale_lanczos(const Image& in, int factor) {
  const int ow = in.width * factor, oh = in.height * factor;
  auto pass = [&](const std::vector<double>& src, int w, int h, bool horizontal) {
    const int n = horizontal ? w * factor : h * factor;
    const int ow2 = horizontal ? n : w, oh2 = horizontal ? h : n;
    std::vector<double> dst(static_cast<size_t>(ow2) * oh2 * 3, 0.0);
    for (int o = 0; o < n; ++o) {
      const double centre = (o + 0.5) / factor - 0.5;
      const int lo = static_cast<int>(std::floor(centre)) - 2, hi = lo + 5;
      double taps[6], sum = 0;
      for (int k = lo; k <= hi; ++k) sum += taps[k - lo] = lanczos3(centre - k);
      const int limit = horizontal ? w : h;
      for (int across = 0; across < (horizontal ? h : w); ++across)
        for (int c = 0; c < 3; ++c) {
          double v = 0;
          for (int k = lo; k <= hi; ++k) {
            const int s = std::clamp(k, 0, limit - 1);
            v += taps[k - lo] * (horizontal ? src[(static_cast<size_t>(across) * w + s) * 3 + c]
                                            : src[(static_cast<size_t>(s) * w + across) * 3 + c]);
          }
          const size_t d = horizontal ? (static_cast<size_t>(across) * ow2 + o) * 3 + c
                                      : (static_cast<size_t>(o) * ow2 + across) * 3 + c;
          dst[d] = v / sum;
        }
    }
    return dst;
  };
  std::vector<double> src(in.rgb.begin(), in.rgb.end());
  const std::vector<double> out = pass(pass(src, in.width, in.height, true), ow, in.height, false);
  Image img;
  img.width = ow;
  img.height = oh;
  img.rgb.resize(out.size());
  for (size_t i = 0; i < out.size(); ++i) img.rgb[i] = static_cast<uint8_t>(std::clamp(std::lround(out[i]), 0L, 255L));
  return img;
}

struct Agreement {
  double psnr = 0;
  double shift[3] = {0, 0, 0};  // mean (toonbox - published), per channel R, G, B
};

// `ours` (kUpscale times the panel) box-averaged to the panel's size and compared with the
// published cartoon panel at the best offset within kSearch pixels.
Agreement compare(const Image& ours, const Image& sheet, int cartoon_x0, int y0, int w, int h) {
  std::vector<double> down(static_cast<size_t>(w) * h * 3, 0.0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        double sum = 0;
        for (int dy = 0; dy < kUpscale; ++dy)
          for (int dx = 0; dx < kUpscale; ++dx)
            sum += ours.rgb[(static_cast<size_t>(y * kUpscale + dy) * ours.width + x * kUpscale + dx) * 3 + c];
        down[(static_cast<size_t>(y) * w + x) * 3 + c] = sum / (kUpscale * kUpscale);
      }
  Agreement best;
  best.psnr = -1;
  for (int oy = -kSearch; oy <= kSearch; ++oy)
    for (int ox = -kSearch; ox <= kSearch; ++ox) {
      double se = 0, diff[3] = {0, 0, 0};
      int n = 0;
      for (int y = kMargin; y < h - kMargin; ++y)
        for (int x = kMargin; x < w - kMargin; ++x) {
          const uint8_t* p = &sheet.rgb[(static_cast<size_t>(y0 + y + oy) * sheet.width + cartoon_x0 + x + ox) * 3];
          for (int c = 0; c < 3; ++c) {
            const double d = down[(static_cast<size_t>(y) * w + x) * 3 + c] - p[c];
            se += d * d;
            diff[c] += d;
          }
          ++n;
        }
      const double psnr = 10 * std::log10(255.0 * 255.0 / (se / (3.0 * n)));
      if (psnr > best.psnr) {
        best.psnr = psnr;
        for (int c = 0; c < 3; ++c) best.shift[c] = diff[c] / n;
      }
    }
  return best;
}

struct SheetScore {
  double psnr = 0;
  double shift[3] = {0, 0, 0};
};

// All eight pairs through `pipeline`: the mean PSNR and the mean colour shift.
SheetScore score_sheet(CartoonPipeline& pipeline, const Image& sheet, const char* label) {
  SheetScore s;
  int pairs = 0;
  CartoonOptions o;
  o.mode = CartoonMode::kWhole;
  for (const auto& row : kRows)
    for (int pair = 0; pair < 2; ++pair) {
      const auto& photo = kCols[2 * pair];
      const auto& cartoon = kCols[2 * pair + 1];
      const int w = std::min(photo[1] - photo[0], cartoon[1] - cartoon[0]), h = row[1] - row[0];
      const Image panel = crop(sheet, photo[0], row[0], photo[0] + w, row[1]);
      auto out = pipeline.process(upscale_lanczos(panel, kUpscale), o);
      EXPECT_TRUE(out.is_ok()) << out.status().to_string();
      if (!out.is_ok()) continue;
      const Agreement a = compare(*out, sheet, cartoon[0], row[0], w, h);
      std::printf("[ measure ] %s pair %d: PSNR %.2f dB, shift R %+.1f G %+.1f B %+.1f\n", label, pairs, a.psnr,
                  a.shift[0], a.shift[1], a.shift[2]);
      s.psnr += a.psnr;
      for (int c = 0; c < 3; ++c) s.shift[c] += a.shift[c];
      ++pairs;
    }
  if (pairs > 0) {
    s.psnr /= pairs;
    for (double& v : s.shift) v /= pairs;
  }
  std::printf("[ measure ] %s: mean PSNR %.2f dB, mean shift R %+.2f G %+.2f B %+.2f over %d pairs\n", label,
              s.psnr, s.shift[0], s.shift[1], s.shift[2], pairs);
  return s;
}

TEST(PublishedOutputs, WhiteboxMatchesTheAuthorsCartoons) {
  const fs::path shared = test::shared_dir();
  const fs::path sheet_path = shared / "images/wb_readme_person2.jpg";
  const fs::path model = shared / "models/whitebox-cartoon/tfjs-float16";
  for (const fs::path& p : {sheet_path, model / "model.json"})
    if (!fs::exists(p)) GTEST_SKIP() << p << " not found (set TOONBOX_SHARED_DIR to the shared folder)";
  auto sheet = read_image_file(sheet_path.string(), {});
  ASSERT_TRUE(sheet.is_ok()) << sheet.status().to_string();
  ASSERT_EQ(sheet->width, 983);
  ASSERT_EQ(sheet->height, 1280);
  const char* dev = std::getenv("TOONBOX_TEST_DEVICE");
  auto device = select_device(dev ? dev : "cpu", "fp32");
  if (!device.is_ok()) GTEST_SKIP() << "device: " << device.status().to_string();

  // The model by its folder, as `--model PATH` does: identified by digest, BGR.
  auto models = load_cartoon_models(model.string(), "", CartoonMode::kWhole, device.value(), nullptr);
  ASSERT_TRUE(models.is_ok()) << models.status().to_string();
  ASSERT_EQ(models->background->model().contract.channels, ChannelOrder::kBgr) << "not identified as White-box";
  CartoonPipeline authors(std::move(models).value());
  const SheetScore bgr = score_sheet(authors, *sheet, "White-box, BGR (the authors' contract)");
  EXPECT_GE(bgr.psnr, 25.0);
  for (int c = 0; c < 3; ++c) EXPECT_LE(std::abs(bgr.shift[c]), 3.0) << "channel " << "RGB"[c];

  // The same weights fed RGB, as toonbox did before: the test must tell them apart.
  ContractOverrides rgb;
  rgb.channels = ChannelOrder::kRgb;
  auto wrong = load_cartoon_models(model.string(), "", CartoonMode::kWhole, device.value(), nullptr, rgb);
  ASSERT_TRUE(wrong.is_ok()) << wrong.status().to_string();
  CartoonPipeline swapped(std::move(wrong).value());
  const SheetScore fed_rgb = score_sheet(swapped, *sheet, "White-box, fed RGB (wrong)");
  EXPECT_LT(fed_rgb.psnr, 25.0) << "the threshold must reject the wrong contract";
  EXPECT_GT(bgr.psnr - fed_rgb.psnr, 2.0);
  EXPECT_GT(std::abs(fed_rgb.shift[0]), 3.0) << "a wrong channel order shifts red";
}

}  // namespace
}  // namespace toonbox
