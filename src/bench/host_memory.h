// The process's peak resident set (VmHWM), and resetting it between configurations so
// each row reports its own peak rather than the largest of every row before it.
#pragma once

#include <cstddef>

namespace toonbox::bench {

// Writes 5 to /proc/self/clear_refs (Linux >= 4.0): VmHWM restarts from the current
// RSS. False when the kernel refuses (then peaks accumulate, and the report says so).
bool reset_peak_rss();

// VmHWM from /proc/self/status, in bytes; 0 when unreadable.
size_t peak_rss_bytes();

}  // namespace toonbox::bench
