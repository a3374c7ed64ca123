#include "cli/single_image.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/json_text.h"

#include "cli/single_io.h"
#include "image/image_io.h"
#include "core/error_code.h"

namespace toonbox::cli {

namespace {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec)) return true;
  const auto ca = std::filesystem::weakly_canonical(a, ec);
  const auto cb = std::filesystem::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

}  // namespace

int report_failure(const char* command, bool json, const Status& s, int exit_code, const std::string& device_line) {
  if (json) {
    nlohmann::json j = {{"ok", false}, {"error", s.message()}, {"code", error_code(s.code())}};
    if (!device_line.empty()) j["device"] = device_line;
    std::printf("%s\n", json_text(j).c_str());
  }
  std::fprintf(stderr, "toonbox %s: %s\n", command, s.message().c_str());
  return exit_code;
}

Result<image::ImageFormat> check_single_image_args(const ParsedArgs& a, const std::string& input,
                                                   const std::string& output) {
  for (const char* folder_only : {"--recursive", "--skip-existing", "--batch-size", "--streams", "--allow-inside", "--shard"})
    if (a.has(folder_only)) return invalid_argument(std::string(folder_only) + " only applies when INPUT is a folder");
  if (is_stdio(output) && a.has("--json"))
    return invalid_argument("--json and -o - both want stdout (the image goes there): drop --json, or write to a file");
  TB_ASSIGN_OR_RETURN(image::ImageFormat format, output_format(a, output));
  TB_RETURN_IF_ERROR(check_output_path(input, output, a.has("--overwrite")));
  return format;
}

Result<image::ImageFormat> parse_format_name(const std::string& name) {
  const image::ImageFormat format = image::format_from_extension("x." + name);
  if (format == image::ImageFormat::kUnknown)
    return invalid_argument("--format must be png, jpg, jpeg or webp (got '" + name + "')");
  return format;
}

Result<image::ImageFormat> output_format(const ParsedArgs& a, const std::string& output) {
  const image::ImageFormat from_name = is_stdio(output) ? image::ImageFormat::kUnknown : image::format_from_extension(output);
  if (!a.has("--format")) {
    if (is_stdio(output))
      return invalid_argument("-o - (stdout) has no file extension to take the format from: add --format png, jpg or webp");
    if (from_name == image::ImageFormat::kUnknown)
      return invalid_argument(output + ": unknown output extension (use .png, .jpg, .jpeg or .webp, or --format)");
    return from_name;
  }
  TB_ASSIGN_OR_RETURN(image::ImageFormat format, parse_format_name(a.get("--format")));
  // A name without an extension takes --format's; one with another extension is a
  // contradiction: out.jpg holding PNG bytes fools every program that opens it.
  const std::string extension = std::filesystem::path(output).extension().string();
  if (!is_stdio(output) && !extension.empty() && from_name != format)
    return invalid_argument(output + ": the extension " + extension + " disagrees with --format " + a.get("--format") +
                            "; make them agree, or drop one");
  return format;
}

Status check_output_path(const std::string& input, const std::string& output, bool overwrite) {
  if (is_stdio(output)) return Status::ok();
  if (!is_stdio(input) && same_file(input, output)) return invalid_argument(output + ": refusing to overwrite the input image");
  std::error_code ec;
  if (std::filesystem::exists(output, ec) && !overwrite)
    return invalid_argument(output + ": already exists (use --overwrite to replace it)");
  return Status::ok();
}

Result<image::DecodeOptions> parse_decode_options(const ParsedArgs& a) {
  image::DecodeOptions decode_options;
  try {
    if (a.has("--max-pixels")) decode_options.max_pixels = std::stoll(a.get("--max-pixels"));
    if (decode_options.max_pixels <= 0) throw std::invalid_argument("");
  } catch (...) {
    return invalid_argument("--max-pixels must be a positive integer");
  }
  return decode_options;
}

Result<int> parse_quality(const ParsedArgs& a) {
  int quality = 92;
  try {
    if (a.has("--quality")) quality = std::stoi(a.get("--quality"));
  } catch (...) {
    quality = -1;
  }
  if (quality < 1 || quality > 100) return invalid_argument("--quality must be 1..100");
  return quality;
}

}  // namespace toonbox::cli
