#include "cli/input_list.h"

#include <glob.h>

#include <filesystem>

#include "cli/single_io.h"
#include "folder/folder_plan.h"

namespace toonbox::cli {

namespace {

namespace fs = std::filesystem;

bool is_pattern(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// The image files `pattern` matches, sorted (glob's order); folders are left out.
Result<std::vector<std::string>> expand_pattern(const std::string& pattern) {
  glob_t found{};
  const int rc = ::glob(pattern.c_str(), 0, nullptr, &found);
  std::vector<std::string> images;
  for (size_t i = 0; rc == 0 && i < found.gl_pathc; ++i) {
    const std::string path = found.gl_pathv[i];
    std::error_code ec;
    if (!fs::is_directory(path, ec) && folder::is_image_name(fs::path(path).filename().string()))
      images.push_back(path);
  }
  ::globfree(&found);
  if (rc != 0 && rc != GLOB_NOMATCH)
    return unavailable(pattern + ": cannot expand the pattern (a folder in it cannot be read)");
  if (images.empty())
    return not_found(pattern + ": no image file (.jpg .jpeg .png .webp) matches the pattern");
  return images;
}

Status check_output_folder(const std::string& output) {
  if (is_stdio(output))
    return invalid_argument("-o - (stdout) takes one image; several inputs need -o OUTDIR");
  std::error_code ec;
  if (!fs::is_directory(output, ec) && folder::is_image_name(fs::path(output).filename().string()))
    return invalid_argument(
        output +
        ": several inputs go into a folder, and this looks like an image file name "
        "(give a folder: -o outdir/)");
  return Status::ok();
}

}  // namespace

Result<InputList> expand_inputs(const std::vector<std::string>& arguments,
                                const std::string& output) {
  InputList list;
  list.several = arguments.size() > 1;
  for (const std::string& arg : arguments) {
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(arg, ec));
    if (is_stdio(arg)) {
      if (arguments.size() > 1)
        return invalid_argument("- (stdin) holds one image; it cannot be one of several inputs");
      list.paths.push_back(arg);
    } else if (exists && fs::is_directory(arg, ec)) {
      if (arguments.size() > 1)
        return invalid_argument(
            arg + ": is a folder; give one folder alone, or image files (several, or a pattern)");
      list.paths.push_back(arg);
    } else if (!exists && is_pattern(arg)) {
      TB_ASSIGN_OR_RETURN(std::vector<std::string> matches, expand_pattern(arg));
      list.paths.insert(list.paths.end(), matches.begin(), matches.end());
      list.several = true;
    } else {
      list.paths.push_back(arg);
    }
  }
  if (list.several) TB_RETURN_IF_ERROR(check_output_folder(output));
  return list;
}

}  // namespace toonbox::cli
