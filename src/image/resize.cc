#include "image/resize.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace toonbox::image {
namespace {

// For each output index along one axis: which source samples contribute, with what weight.
struct AxisFilter {
  std::vector<int> first;      // first source index per output index
  std::vector<int> count;      // number of source samples per output index
  std::vector<size_t> offset;  // start of this output's weights in `weights`
  std::vector<float> weights;  // sum to 1 per output index
};

void add_output(AxisFilter* f, int first, const std::vector<float>& w) {
  f->first.push_back(first);
  f->count.push_back(static_cast<int>(w.size()));
  f->offset.push_back(f->weights.size());
  f->weights.insert(f->weights.end(), w.begin(), w.end());
}

// Pixel centres aligned (x_src = (x_dst + 0.5) * scale - 0.5), edges clamped.
AxisFilter bilinear_filter(int src, int dst) {
  AxisFilter f;
  const double scale = static_cast<double>(src) / dst;
  for (int o = 0; o < dst; ++o) {
    const double x = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(src - 1));
    const int i0 = static_cast<int>(std::floor(x));
    const double frac = x - i0;
    if (i0 + 1 >= src || frac == 0.0) {
      add_output(&f, i0, {1.0f});
    } else {
      add_output(&f, i0, {static_cast<float>(1.0 - frac), static_cast<float>(frac)});
    }
  }
  return f;
}

// Each output pixel averages the source interval it covers, partial pixels weighted by
// their overlap.
AxisFilter box_filter(int src, int dst) {
  AxisFilter f;
  const double scale = static_cast<double>(src) / dst;
  std::vector<float> w;
  for (int o = 0; o < dst; ++o) {
    const double lo = o * scale, hi = std::min((o + 1) * scale, static_cast<double>(src));
    const int first = static_cast<int>(std::floor(lo));
    const int last = std::min(src - 1, static_cast<int>(std::ceil(hi)) - 1);
    w.clear();
    for (int i = first; i <= last; ++i) {
      const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
      w.push_back(static_cast<float>(std::max(overlap, 0.0) / (hi - lo)));
    }
    add_output(&f, first, w);
  }
  return f;
}

AxisFilter make_filter(int src, int dst) {
  return dst >= src ? bilinear_filter(src, dst) : box_filter(src, dst);
}

uint8_t to_byte(float v) { return static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f)); }

// Below this many output values per band a thread costs more than it saves.
constexpr size_t kMinValuesPerBand = size_t{1} << 18;
constexpr int kMaxBands = 8;

int band_count(size_t values, int max_threads) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int limit = max_threads > 0 ? max_threads : std::min(kMaxBands, cores);
  return static_cast<int>(
      std::clamp<size_t>(values / kMinValuesPerBand, 1, static_cast<size_t>(limit)));
}

// body(begin, end, band) over [0, rows) in at most `bands` contiguous parts, the first on
// this thread. The body must not throw or allocate (an exception on another thread would
// end the process): the callers give each band its scratch beforehand. A thread that
// cannot be started leaves its rows to this thread.
template <typename F>
void for_row_bands(size_t rows, int bands, const F& body) {
  const size_t per = (rows + std::max(bands, 1) - 1) / std::max(bands, 1);
  std::vector<std::thread> threads;
  size_t begin = std::min(rows, per);
  try {
    for (int band = 1; begin < rows; ++band, begin += per)
      threads.emplace_back(
          [&body, begin, end = std::min(rows, begin + per), band] { body(begin, end, band); });
  } catch (const std::system_error&) {
  }
  body(0, std::min(rows, per), 0);
  if (begin < rows) body(begin, rows, 0);  // after band 0: its scratch is free again
  for (std::thread& t : threads) t.join();
}

}  // namespace

Image resize_image(const Image& src, int width, int height, int max_threads) {
  Image out;
  const size_t src_pixels =
      static_cast<size_t>(std::max(src.width, 0)) * static_cast<size_t>(std::max(src.height, 0));
  if (width <= 0 || height <= 0 || src_pixels == 0 || src.rgb.size() != src_pixels * 3) {
    return out;
  }
  if (width == src.width && height == src.height) return src;
  const bool alpha = src.has_alpha() && src.alpha.size() == src_pixels;
  const int channels = alpha ? 4 : 3;
  const size_t sw = static_cast<size_t>(src.width), sh = static_cast<size_t>(src.height);
  const size_t dw = static_cast<size_t>(width), dh = static_cast<size_t>(height);
  const AxisFilter fx = make_filter(src.width, width);
  const AxisFilter fy = make_filter(src.height, height);

  // Horizontal pass into floats (premultiplied when there is alpha), then vertical.
  std::vector<float> tmp(dw * sh * channels);
  const int bands_x = band_count(dw * sh * channels, max_threads);
  std::vector<float> rows(static_cast<size_t>(bands_x) * sw * channels);  // one source row per band
  for_row_bands(sh, bands_x, [&](size_t y_begin, size_t y_end, int band) {
    float* row = rows.data() + static_cast<size_t>(band) * sw * channels;
    for (size_t y = y_begin; y < y_end; ++y) {
      const uint8_t* rgb = src.rgb.data() + y * sw * 3;
      for (size_t x = 0; x < sw; ++x) {
        if (alpha) {
          const float a = src.alpha[y * sw + x];
          row[x * 4 + 0] = rgb[x * 3 + 0] * a / 255.0f;
          row[x * 4 + 1] = rgb[x * 3 + 1] * a / 255.0f;
          row[x * 4 + 2] = rgb[x * 3 + 2] * a / 255.0f;
          row[x * 4 + 3] = a;
        } else {
          row[x * 3 + 0] = rgb[x * 3 + 0];
          row[x * 3 + 1] = rgb[x * 3 + 1];
          row[x * 3 + 2] = rgb[x * 3 + 2];
        }
      }
      float* dst = tmp.data() + y * dw * channels;
      for (size_t ox = 0; ox < dw; ++ox) {
        const float* w = fx.weights.data() + fx.offset[ox];
        const float* s = row + static_cast<size_t>(fx.first[ox]) * channels;
        for (int c = 0; c < channels; ++c) {
          float sum = 0.0f;
          for (int k = 0; k < fx.count[ox]; ++k) sum += w[k] * s[k * channels + c];
          dst[ox * channels + c] = sum;
        }
      }
    }
  });

  out.width = width;
  out.height = height;
  out.rgb.resize(dw * dh * 3);
  if (alpha) out.alpha.resize(dw * dh);
  const int bands_y = band_count(dw * dh * channels, max_threads);
  std::vector<float> accs(static_cast<size_t>(bands_y) * dw * channels);  // one output row per band
  for_row_bands(dh, bands_y, [&](size_t oy_begin, size_t oy_end, int band) {
    float* acc = accs.data() + static_cast<size_t>(band) * dw * channels;
    const size_t acc_size = dw * channels;
    for (size_t oy = oy_begin; oy < oy_end; ++oy) {
      std::fill(acc, acc + acc_size, 0.0f);
      const float* w = fy.weights.data() + fy.offset[oy];
      for (int k = 0; k < fy.count[oy]; ++k) {
        const float* s = tmp.data() + static_cast<size_t>(fy.first[oy] + k) * dw * channels;
        for (size_t i = 0; i < acc_size; ++i) acc[i] += w[k] * s[i];
      }
      uint8_t* rgb = out.rgb.data() + oy * dw * 3;
      for (size_t ox = 0; ox < dw; ++ox) {
        const float* p = acc + ox * channels;
        if (alpha) {
          const float a = p[3];
          const float unpremultiply = a > 0.0f ? 255.0f / a : 0.0f;
          for (int c = 0; c < 3; ++c) rgb[ox * 3 + c] = to_byte(p[c] * unpremultiply);
          out.alpha[oy * dw + ox] = to_byte(a);
        } else {
          for (int c = 0; c < 3; ++c) rgb[ox * 3 + c] = to_byte(p[c]);
        }
      }
    }
  });
  return out;
}

}  // namespace toonbox::image
