#include "image/image_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <limits>
#include <new>

#include "image/jpeg_codec.h"
#include "image/png_codec.h"
#include "image/posix_error.h"
#include "image/webp_codec.h"

namespace toonbox::image {
namespace {

// Worst case for a legitimate file: an uncompressed 16-bit RGBA PNG (8 bytes per pixel)...
constexpr uint64_t kMaxBytesPerPixel = 8;
// ...plus metadata (ICC profiles, EXIF thumbnails, XMP).
constexpr uint64_t kMetadataAllowance = 64ull << 20;

struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

std::string lowercase_extension(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

Status check_image_for_encoding(const Image& img) {
  const std::string dims = std::to_string(img.width) + "x" + std::to_string(img.height);
  if (img.width <= 0 || img.height <= 0) {
    return invalid_argument("cannot encode an image of size " + dims);
  }
  const size_t pixels = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
  if (img.rgb.size() != pixels * 3) {
    return invalid_argument("image " + dims + " has " + std::to_string(img.rgb.size()) +
                            " RGB bytes, expected " + std::to_string(pixels * 3));
  }
  if (!img.alpha.empty() && img.alpha.size() != pixels) {
    return invalid_argument("image " + dims + " has " + std::to_string(img.alpha.size()) +
                            " alpha bytes, expected 0 or " + std::to_string(pixels));
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<uint8_t>> read_file(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK so that opening a FIFO does not hang waiting for a writer; it has no effect
  // on regular files, the only kind we go on to read.
  FdGuard file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) return posix_error(errno, path + ": cannot open");
  struct stat st;
  if (::fstat(file.fd, &st) != 0) return posix_error(errno, path + ": cannot stat");
  if (S_ISDIR(st.st_mode)) return invalid_argument(path + ": is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    return invalid_argument(path + ": not a regular file (device, FIFO or socket)");
  }
  const auto too_large = [&](uint64_t size) {
    return resource_exhausted(path + ": file is " + std::to_string(size) +
                              " bytes, more than the limit of " + std::to_string(max_bytes) +
                              " bytes");
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large(st.st_size);

  std::vector<uint8_t> bytes;
  try {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    // The file can change size while we read; read until EOF, still within max_bytes.
    while (true) {
      if (done == bytes.size()) {
        // Usually the file is exactly st_size long: confirm EOF with a one-byte read before
        // growing the buffer, so a normal read never allocates more than the file.
        uint8_t extra;
        ssize_t n;
        do {
          n = ::read(file.fd, &extra, 1);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return posix_error(errno, path + ": cannot read");
        if (n == 0) break;
        if (bytes.size() >= max_bytes) return too_large(static_cast<uint64_t>(done) + 1);
        bytes.resize(std::min<size_t>(max_bytes, std::max<size_t>(bytes.size() * 2, 65536)));
        bytes[done++] = extra;
        continue;
      }
      const ssize_t n = ::read(file.fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return posix_error(errno, path + ": cannot read");
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    bytes.resize(done);
  } catch (const std::bad_alloc&) {
    return out_of_memory(path + ": not enough memory to read " + std::to_string(st.st_size) +
                         " bytes");
  }
  return bytes;
}

size_t max_image_file_bytes(const DecodeOptions& opts) {
  const uint64_t pixels = opts.max_pixels > 0 ? static_cast<uint64_t>(opts.max_pixels) : 0;
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(pixels, kMaxBytesPerPixel, &bytes) ||
      __builtin_add_overflow(bytes, kMetadataAllowance, &bytes) ||
      bytes > std::numeric_limits<size_t>::max()) {
    return std::numeric_limits<size_t>::max();
  }
  return static_cast<size_t>(bytes);
}

Status as_unreadable_image(const Status& s) {
  switch (s.code()) {
    case StatusCode::kDataLoss:
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnimplemented:
      return data_loss(s.message());
    default:
      return s;
  }
}

Result<Image> read_image_file(const std::string& path, const DecodeOptions& opts) {
  TB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path, max_image_file_bytes(opts)));
  if (bytes.empty()) return data_loss(path + ": file is empty");
  Result<Image> img = decode_image(bytes.data(), bytes.size(), opts);
  if (!img.is_ok()) return img.status().with_context(path);
  return img;
}

Result<std::vector<uint8_t>> encode_image(const Image& img, const EncodeOptions& opts) {
  TB_RETURN_IF_ERROR(check_image_for_encoding(img));
  if (opts.quality < 1 || opts.quality > 100) {
    return invalid_argument("quality must be 1..100, got " + std::to_string(opts.quality));
  }
  try {
    switch (opts.format) {
      case ImageFormat::kJpeg:
        return encode_jpeg(img, opts.quality);
      case ImageFormat::kPng:
        return encode_png(img);
      case ImageFormat::kWebp:
        return encode_webp(img, opts.quality);
      case ImageFormat::kUnknown:
        break;
    }
  } catch (const std::bad_alloc&) {
    return out_of_memory("not enough memory to encode a " + std::to_string(img.width) + "x" +
                         std::to_string(img.height) + " " + image_format_name(opts.format) +
                         " image");
  }
  return invalid_argument("cannot encode: no output format given (jpeg, png or webp)");
}

ImageFormat format_from_extension(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  if (ext == "jpg" || ext == "jpeg") return ImageFormat::kJpeg;
  if (ext == "png") return ImageFormat::kPng;
  if (ext == "webp") return ImageFormat::kWebp;
  return ImageFormat::kUnknown;
}

Status write_image_file(const std::string& path, const Image& img, int quality) {
  const ImageFormat format = format_from_extension(path);
  if (format == ImageFormat::kUnknown) {
    return invalid_argument(path +
                            ": cannot tell the output format from the file name (use a .jpg, "
                            ".jpeg, .png or .webp extension)");
  }
  Result<std::vector<uint8_t>> bytes = encode_image(img, EncodeOptions{format, quality});
  if (!bytes.is_ok()) return bytes.status().with_context(path);
  return atomic_write_file(path, bytes.value());
}

}  // namespace toonbox::image
