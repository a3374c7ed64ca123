#include "cli/single_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

namespace toonbox::cli {

namespace {

constexpr size_t kReadChunk = 1 << 16;

// Reads stdin to its end, refusing more than `max_bytes` as soon as they arrive (a pipe
// has no size to check up front).
Result<std::vector<uint8_t>> read_stdin(size_t max_bytes) {
  if (isatty(STDIN_FILENO))
    return invalid_argument(
        "stdin: is a terminal; pipe an image in (toonbox cartoonize - -o out.png < in.jpg)");
  std::vector<uint8_t> bytes;
  try {
    size_t done = 0;
    while (true) {
      if (bytes.size() - done < kReadChunk) bytes.resize(done + kReadChunk);
      const ssize_t n = ::read(STDIN_FILENO, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return unavailable(std::string("stdin: cannot read: ") + std::strerror(errno));
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
      if (done > max_bytes)
        return resource_exhausted("stdin: more than the limit of " + std::to_string(max_bytes) +
                                  " bytes (the largest image file read at this --max-pixels)");
    }
    bytes.resize(done);
  } catch (const std::bad_alloc&) {
    return out_of_memory("stdin: not enough memory to read the image");
  }
  return bytes;
}

// write(2) until done: stdout may be a pipe that takes the image in pieces.
Status write_stdout(const std::vector<uint8_t>& bytes) {
  std::fflush(stdout);  // nothing else should be there, but never interleave
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return unavailable(std::string("stdout: cannot write: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace

bool is_stdio(const std::string& path) { return path == "-"; }

std::string input_label(const std::string& input) { return is_stdio(input) ? "stdin" : input; }

std::string output_label(const std::string& output) { return is_stdio(output) ? "stdout" : output; }

Result<image::Image> read_input_image(const std::string& input, const image::DecodeOptions& opts) {
  // Decoder refusals in the words the folders and the HTTP API use (corrupt_image).
  if (!is_stdio(input)) {
    Result<image::Image> img = image::read_image_file(input, opts);
    if (!img.is_ok()) return image::as_unreadable_image(img.status());
    return img;
  }
  TB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_stdin(image::max_image_file_bytes(opts)));
  if (bytes.empty()) return data_loss("stdin: no bytes (an empty input)");
  Result<image::Image> img = image::decode_image(bytes.data(), bytes.size(), opts);
  if (!img.is_ok()) return image::as_unreadable_image(img.status()).with_context("stdin");
  return img;
}

Status write_output_image(const std::string& output, const image::Image& img,
                          const image::EncodeOptions& opts) {
  Result<std::vector<uint8_t>> bytes = image::encode_image(img, opts);
  if (!bytes.is_ok()) return bytes.status().with_context(output_label(output));
  if (is_stdio(output)) return write_stdout(bytes.value());
  return image::atomic_write_file(output, bytes.value());
}

}  // namespace toonbox::cli
