// Folders of generated images for the folder mode tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "image/image_io.h"
#include "image_test_util.h"

namespace toonbox::folder_test {

namespace fs = std::filesystem;

// The image tests' fresh temp folder (removed with everything in it), with `t / "rel"`
// for a path inside it.
struct TempDir : image_test::TempDir {
  std::string operator/(const std::string& rel) const { return file(rel); }
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A valid image of the given size; the format follows the extension.
inline void write_image(const std::string& path, int width, int height) {
  fs::create_directories(fs::path(path).parent_path());
  ASSERT_TRUE(
      image::write_image_file(path, image_test::make_gradient(width, height, false)).is_ok())
      << path;
}

// Regular files below `dir`, relative, sorted; hidden ones included.
inline std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace toonbox::folder_test
