// How glibc's malloc keeps freed memory, set once at start.
//
// Every device call allocates image-sized buffers (decoded pixels, each output image) and
// frees them when the encoder is done. With glibc's default, freed memory at the top of a
// thread's arena is given back to the kernel, so the next image's buffers fault every
// page in again: on the H200 a warm White-box call of 16 1024² images spent 72.8 ms on the
// host for 27.6 ms of GPU work, and 50.9 ms with freed memory kept (issue 14, `toonbox
// bench --batch 16`, the same binary with GLIBC_TUNABLES set). The cost: the process keeps
// its peak working set instead of shrinking after a burst.
#pragma once

namespace toonbox::cli {

// Keeps blocks up to 32 MiB in malloc's arenas and freed memory up to 1 GiB in them;
// does nothing when GLIBC_TUNABLES already says how malloc should behave (the user's
// choice wins).
void keep_freed_memory_in_malloc();

}  // namespace toonbox::cli
