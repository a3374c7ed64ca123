// `toonbox cartoonize`: the options single images and folders share, and the folder mode
// (cmd_cartoonize_folder.cc).
#pragma once

#include "cli/args.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/upscale/upscaler.h"

namespace toonbox::cli {

// --mode, --long-side, --strength, --tile, range-checked with messages saying what is
// allowed.
Result<pipeline::CartoonOptions> parse_cartoon_options(const ParsedArgs& args);

// The whole value of `flag` as an integer in lo..hi, else "FLAG must be an integer in
// LO..HI"; *out is left as it is when the flag is absent.
Status parse_integer_flag(const ParsedArgs& args, const char* flag, long long lo, long long hi,
                          long long* out);

// The whole value of `flag` as a number in 0..1, else "FLAG must be a number in 0..1".
Result<float> parse_unit_flag(const ParsedArgs& args, const char* flag);

// Reports a failure: the message on stderr and, with --json, {"ok":false,...} (with
// "device" when `device_line` is given) on stdout. Returns `exit_code`.
int cartoonize_fail(bool json, const Status& s, int exit_code, const std::string& device_line = "");

// --upscale N (2..4): the upscaler that finishes every cartoonized image
// (realesr-animevideov3-xN on the same device); nullptr without the flag.
Result<std::unique_ptr<pipeline::Upscaler>> load_finishing_upscaler(
    const ParsedArgs& args, const engine::DeviceSelection& device);

// INPUT (args.positional[0]) is a folder: cartoonize every image in it into -o OUTDIR;
// with `files` (several inputs), those files.
int cartoonize_folder(const ParsedArgs& args, const pipeline::CartoonOptions& options,
                      const std::vector<std::string>& files = {});

}  // namespace toonbox::cli
