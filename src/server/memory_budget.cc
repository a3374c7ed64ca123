#include "server/memory_budget.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace toonbox::server {

namespace {

// Bytes per pixel of the stages around the model (RGB8 images are 3, float RGB 12):
// the decoded input (held until the response is encoded) and its alpha, the stylized
// output, the strength blend, and per output pixel the resized image and the encoder's
// buffer (PNG at worst about the raw size).
constexpr double kInputBytes = 3;
constexpr double kAlphaBytes = 1;
constexpr double kStylizedBytes = 3;
constexpr double kBlendBytes = 3;
constexpr double kOutputBytes = 3 + 3;
// Whole image: the float input and output tensors. Tiled: the float blend canvas.
constexpr double kWholeTensorBytes = 12 + 12;
constexpr double kTiledCanvasBytes = 12;
// Before a model's arena has been measured: more than any model measured so far
// (White-box ~100, the classic style less).
constexpr double kUnmeasuredArenaBytes = 160;
// Fixed costs of one request beside its pixels (parsing, buffers).
constexpr double kFixedBytes = 4 << 20;

}  // namespace

MemoryBudget::Reservation& MemoryBudget::Reservation::operator=(Reservation&& o) noexcept {
  if (this != &o) {
    release();
    budget_ = o.budget_;
    bytes_ = o.bytes_;
    o.budget_ = nullptr;
  }
  return *this;
}

void MemoryBudget::Reservation::release() {
  if (budget_) budget_->in_use_.fetch_sub(bytes_);
  budget_ = nullptr;
}

MemoryBudget::Reservation MemoryBudget::try_reserve(size_t bytes) {
  size_t now = in_use_.load();
  do {
    if (now + bytes > total_) return Reservation();
  } while (!in_use_.compare_exchange_weak(now, now + bytes));
  return Reservation(this, bytes);
}

size_t estimate_request_bytes(const RequestMemory& r) {
  const double px = static_cast<double>(r.width) * static_cast<double>(r.height);
  const double out_px = static_cast<double>(r.out_width) * static_cast<double>(r.out_height);
  const double arena_bpp =
      r.arena_on_device ? 0.0 : r.model_bytes_per_pixel > 0 ? r.model_bytes_per_pixel : kUnmeasuredArenaBytes;
  double bytes = kFixedBytes + px * (kInputBytes + (r.has_alpha ? kAlphaBytes : 0) + kStylizedBytes + kBlendBytes) +
                 out_px * kOutputBytes;
  const bool tiled = r.tile_side > 0 && (r.width > r.tile_side || r.height > r.tile_side);
  if (tiled) {
    // A tile's padded size is at most (tile + 2 * 64 margin)^2; its tensors and arena.
    const double padded = static_cast<double>(r.tile_side + 128) * (r.tile_side + 128);
    bytes += px * kTiledCanvasBytes + padded * (kWholeTensorBytes + arena_bpp);
  } else {
    bytes += px * (kWholeTensorBytes + arena_bpp);
  }
  return static_cast<size_t>(std::min(bytes, 1e18));
}

std::string human_bytes(double bytes) {
  char buf[32];
  if (bytes >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  else std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024));
  return buf;
}

size_t default_memory_budget(size_t cap) {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return std::min(cap, kib * 1024 / 2);
  }
  return cap;
}

}  // namespace toonbox::server
