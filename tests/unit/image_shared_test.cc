// Decodes the real photos in the shared test-data folder, when it exists. They are not part
// of the repository (licences differ), so the test skips without them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "image/image.h"
#include "image/image_io.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

fs::path shared_images_dir() {
  if (const char* env = std::getenv("TOONBOX_SHARED_DIR"); env != nullptr && *env) {
    return fs::path(env) / "images";
  }
  // Default: ../shared next to the repository; this file is <repo>/tests/unit/....
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "shared" /
         "images";
}

struct Expected {
  int width, height;
  bool has_alpha;
};

TEST(ImageShared, DecodesEveryPhoto) {
  const fs::path dir = shared_images_dir();
  if (!fs::is_directory(dir)) {
    GTEST_SKIP() << "no shared images at " << dir << " (set TOONBOX_SHARED_DIR)";
  }
  const std::map<std::string, Expected> expected = {
      {"gfpgan_Blake_Lively.jpg", {700, 464, false}},
      {"gpen_Solvay_conference_1927.png", {1328, 568, true}},
      {"iopaint_icc_profile_test.jpg", {512, 324, false}},
  };
  int decoded = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (format_from_extension(name) == ImageFormat::kUnknown) continue;
    Result<Image> img = read_image_file(entry.path().string(), {});
    ASSERT_TRUE(img.is_ok()) << img.status().to_string();
    ASSERT_GT(img->width, 0);
    ASSERT_EQ(img->rgb.size(), static_cast<size_t>(img->width) * img->height * 3) << name;
    if (auto it = expected.find(name); it != expected.end()) {
      EXPECT_EQ(img->width, it->second.width) << name;
      EXPECT_EQ(img->height, it->second.height) << name;
      EXPECT_EQ(img->has_alpha(), it->second.has_alpha) << name;
    }
    ++decoded;
  }
  EXPECT_GT(decoded, 0) << "no images in " << dir;
}

}  // namespace
}  // namespace toonbox
