// Where a single-image command's own lines go. Results (what was written, a report that
// was asked for) go to stdout; status (model, device, notes) goes to stdout too, except
// when stdout carries the image itself (`-o -`): then every line goes to stderr, so the
// pipe holds nothing but the image's bytes.
#pragma once

#include <cstdio>

namespace toonbox::cli {

class Console {
 public:
  explicit Console(bool image_on_stdout) : image_on_stdout_(image_on_stdout) {}

  // The model, the device, notes.
  void status(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  // The file written and the figures asked for (--timings).
  void result(const char* format, ...) const __attribute__((format(printf, 2, 3)));

 private:
  FILE* status_stream() const { return image_on_stdout_ ? stderr : stdout; }
  FILE* result_stream() const { return image_on_stdout_ ? stderr : stdout; }

  bool image_on_stdout_;
};

}  // namespace toonbox::cli
