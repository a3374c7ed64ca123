// bench's agreement metrics against values known in closed form and against
// scikit-image's structural_similarity (Debian python3-skimage), the reference the
// SSIM definition in bench/image_metrics.h follows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "bench/bench_input.h"
#include "bench/image_metrics.h"

using namespace toonbox::image;

namespace toonbox::bench {
namespace {

Image solid(int w, int h, uint8_t v) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.assign(static_cast<size_t>(w) * h * 3, v);
  return img;
}

Image noisy(int w, int h, uint32_t seed) {
  Image img = solid(w, h, 0);
  std::mt19937 rng(seed);
  for (uint8_t& c : img.rgb) c = static_cast<uint8_t>(rng() % 256);
  return img;
}

TEST(BenchMetrics, PsnrOfAConstantOffsetIsTwentyLogOfPeakOverOffset) {
  Image a = noisy(17, 9, 1), b = a;
  for (uint8_t& c : a.rgb) c = static_cast<uint8_t>(std::min(c, uint8_t{250}));
  b = a;
  for (uint8_t& c : b.rgb) c = static_cast<uint8_t>(c + 4);
  EXPECT_NEAR(*psnr_8bit(a, b), 20 * std::log10(255.0 / 4), 1e-9);
  EXPECT_EQ(*max_abs_diff(a, b), 4);
}

TEST(BenchMetrics, IdenticalImagesAreInfinitelyCloseAndSsimOne) {
  const Image a = synthetic_photo(48, 2);
  EXPECT_TRUE(std::isinf(*psnr_8bit(a, a)));
  EXPECT_EQ(*max_abs_diff(a, a), 0);
  EXPECT_NEAR(*ssim_8bit(a, a), 1.0, 1e-12);
}

TEST(BenchMetrics, SsimOfTwoFlatImagesIsTheLuminanceTerm) {
  // No variance: contrast and structure terms are C2/C2 = 1, what is left is
  // (2ab + C1) / (a^2 + b^2 + C1).
  const double c1 = (0.01 * 255) * (0.01 * 255);
  const double want = (2.0 * 100 * 160 + c1) / (100.0 * 100 + 160.0 * 160 + c1);
  EXPECT_NEAR(*ssim_8bit(solid(20, 15, 100), solid(20, 15, 160)), want, 1e-12);
}

TEST(BenchMetrics, MismatchedOrTinyImagesAreRefused) {
  EXPECT_FALSE(psnr_8bit(solid(8, 8, 1), solid(8, 9, 1)).is_ok());
  EXPECT_FALSE(max_abs_diff(solid(8, 8, 1), solid(9, 8, 1)).is_ok());
  const auto tiny = ssim_8bit(solid(10, 30, 1), solid(10, 30, 1));
  ASSERT_FALSE(tiny.is_ok());
  EXPECT_NE(tiny.status().message().find("at least 11x11"), std::string::npos);
}

// scikit-image on the same pixels, through the system Python (where python3-skimage is).
std::string skimage_python() {
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    const std::string cmd = std::string(py) + " -c 'import skimage.metrics' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return "";
}

void write_raw(const std::string& path, const Image& img) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(img.rgb.data()),
             static_cast<std::streamsize>(img.rgb.size()));
}

TEST(BenchMetrics, SsimMatchesScikitImage) {
  const std::string py = skimage_python();
  if (py.empty())
    GTEST_SKIP() << "scikit-image not importable (Debian: apt-get install python3-skimage)";
  const auto dir =
      std::filesystem::temp_directory_path() / ("bench_ssim_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  struct Case {
    Image a, b;
  };
  // A photo-like image against a blurred, shifted copy; noise against noise; an odd size.
  Image photo = synthetic_photo(64, 0), changed = photo;
  for (size_t i = 3; i < changed.rgb.size(); ++i)
    changed.rgb[i] = static_cast<uint8_t>((changed.rgb[i] + changed.rgb[i - 3]) / 2);
  const Case cases[] = {{photo, changed},
                        {noisy(37, 29, 7), noisy(37, 29, 8)},
                        {synthetic_photo(23, 1), synthetic_photo(23, 3)}};
  for (size_t k = 0; k < std::size(cases); ++k) {
    const Case& c = cases[k];
    write_raw((dir / "a.raw").string(), c.a);
    write_raw((dir / "b.raw").string(), c.b);
    const std::string script =
        "import numpy as np, sys\n"
        "from skimage.metrics import structural_similarity as ssim\n"
        "w, h = int(sys.argv[1]), int(sys.argv[2])\n"
        "a = np.fromfile(sys.argv[3], np.uint8).reshape(h, w, 3)\n"
        "b = np.fromfile(sys.argv[4], np.uint8).reshape(h, w, 3)\n"
        "print('%.12f' % ssim(a, b, channel_axis=2, gaussian_weights=True, sigma=1.5,\n"
        "                     use_sample_covariance=False, data_range=255))\n";
    std::ofstream((dir / "ssim.py").string()) << script;
    const std::string cmd = py + " " + (dir / "ssim.py").string() + " " +
                            std::to_string(c.a.width) + " " + std::to_string(c.a.height) + " " +
                            (dir / "a.raw").string() + " " + (dir / "b.raw").string();
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    double want = -2;
    ASSERT_EQ(std::fscanf(p, "%lf", &want), 1) << cmd;
    pclose(p);
    const double got = *ssim_8bit(c.a, c.b);
    EXPECT_NEAR(got, want, 1e-9) << "case " << k;
    EXPECT_LT(got, 0.999) << "case " << k << ": the images differ, SSIM must say so";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace toonbox::bench
