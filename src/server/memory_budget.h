// Admission by memory. Before a request's image is decoded, its peak memory is estimated
// from the header (pixels x bytes per pixel for each stage) and reserved from the
// server's budget; the reservation is returned when the response is ready. A request
// whose estimate is over the per-request limit is refused (413) before any pixel memory
// exists, and one that does not fit beside the requests already running is told to come
// back (429), so one huge image can neither exhaust the machine nor, by holding memory,
// stall the small ones that still fit (issue 18: a 143 KB PNG of 7000x7000 zeros cost
// 5.4 GB and two of them 10.3 GB).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace toonbox::server {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t total_bytes) : total_(total_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Returned to the budget when destroyed. Movable; an empty one holds nothing.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; }
    Reservation& operator=(Reservation&& o) noexcept;
    ~Reservation() { release(); }
    explicit operator bool() const { return budget_ != nullptr; }
    size_t bytes() const { return bytes_; }
    void release();

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* b, size_t bytes) : budget_(b), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    size_t bytes_ = 0;
  };

  // An empty reservation when `bytes` does not fit beside what is reserved now.
  Reservation try_reserve(size_t bytes);
  size_t total() const { return total_; }
  size_t in_use() const { return in_use_.load(); }

 private:
  size_t total_;
  std::atomic<size_t> in_use_{0};
};

// What one request's image costs at its peak, estimated before decoding.
struct RequestMemory {
  int64_t width = 0, height = 0;          // the input, from its header
  int64_t out_width = 0, out_height = 0;  // after long_side
  bool has_alpha = false;
  int tile_side = 0;                      // the server's tile side (0: the whole image at once)
  double model_bytes_per_pixel = 0;       // measured arena per pixel; 0 if not yet known
  // The model's arena is a GPU's memory, not the host's: it does not count here (the
  // device's out-of-memory halving bounds it). Counting it refused 814 of 3362 requests
  // of 64 clients posting 1024² JPEGs to an H200 with 128 GB of host memory (issue 14).
  bool arena_on_device = false;
};
size_t estimate_request_bytes(const RequestMemory& r);

// "1.4 GiB", "230 MiB".
std::string human_bytes(double bytes);

// Half of MemAvailable (/proc/meminfo), at most `cap`; `cap` when it cannot be read.
size_t default_memory_budget(size_t cap);

}  // namespace toonbox::server
