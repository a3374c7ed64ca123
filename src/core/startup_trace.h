// Where a process's start-up time goes: with TOONBOX_TRACE_STARTUP=1 each mark prints
// "[startup] +123.4 ms what" to stderr, timed from this library's load (before main), and
// the last line comes from the final exit handler, after every destructor and the CUDA
// runtime's own teardown. Without the variable a mark costs one branch. It is how the
// cold start's shares that no --timings line covers (plugin load, exit) were found.
#pragma once

namespace toonbox {

void startup_mark(const char* what);

}  // namespace toonbox
