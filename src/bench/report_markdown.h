// The Markdown report: the table users ask for, in the shape of the DCT-Net README's
// (time per image on the GPU and the CPU and the speed-up, batch time, video memory, the
// PSNR between the devices), then pipeline mode, what could not run, and the notes.
#pragma once

#include <string>

#include "bench/bench_result.h"

namespace toonbox::bench {

std::string bench_markdown(const BenchRun& run, int exit_code);

// "0.84 ms", "12.3 ms", "1.52 s"; "—" for 0 or less.
std::string format_ms(double ms);
// "812 MiB", "2.10 GiB"; "—" for 0.
std::string format_bytes(size_t bytes);

}  // namespace toonbox::bench
