// The resolution a model runs at, as its authors ran it. Style depends on scale: White-box
// was trained on photos with the short side at most 720 px, and its authors' code scales
// larger photos down before the model (resize_crop); at 4K the network sees texture it
// never saw and draws it as noise. So the frame is processed at the authors' size and the
// result scaled to the output size — and a small output (--long-side) is processed small,
// which is also what makes it cheaper.
#pragma once

#include <string>

#include "models/model_contract.h"

namespace toonbox::pipeline {

// --resolution: 0 is the model's rule (the default), kFullResolution the input's own
// size, N > 0 the short side in pixels.
inline constexpr int kFullResolution = -1;
inline constexpr int kMinResolution = 32;
inline constexpr int kMaxResolution = 8192;

struct ProcessingSize {
  int width = 0, height = 0;
  double scale = 1.0;  // processing pixels per input pixel
  std::string why;     // empty when the input's own size is used
  bool resized() const { return scale != 1.0; }
};

// The size a width x height input is processed at, for an output of out_width x
// out_height. The model's rule (kAuto) caps the short side (max_short_side) and lifts it
// to min_side; kAuto and full never process above the output size; an explicit
// resolution is honoured as given.
ProcessingSize processing_size(int width, int height, const models::ProcessingRule& rule,
                               int resolution, int out_width, int out_height);

// "auto" (0), "full" (kFullResolution) or a short side in kMinResolution..kMaxResolution.
Result<int> parse_resolution(const std::string& s);

}  // namespace toonbox::pipeline
