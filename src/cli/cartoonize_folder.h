// `toonbox cartoonize`: the options single images and folders share, and the folder mode
// (cmd_cartoonize_folder.cc).
#pragma once

#include "cli/args.h"
#include "pipeline/cartoon_pipeline.h"

namespace toonbox::cli {

// --mode, --long-side, --strength, --tile, range-checked with messages saying what is
// allowed.
Result<CartoonOptions> parse_cartoon_options(const ParsedArgs& args);

// INPUT (args.positional[0]) is a folder: cartoonize every image in it into -o OUTDIR.
int cartoonize_folder(const ParsedArgs& args, const CartoonOptions& options);

}  // namespace toonbox::cli
