// `toonbox inpaint`: the options single images and folders share, and the folder mode
// (cmd_inpaint_folder.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.h"
#include "pipeline/inpaint/inpaint_pipeline.h"

namespace toonbox::cli {

struct InpaintFlags {
  pipeline::InpaintOptions options;
  std::string mask;      // a file, a folder (folder mode) or "alpha"
  bool resize_mask = false;
  int dilate = 0;
  bool write_unchanged = false;  // an empty mask still writes the (unchanged) image
};

// --mask, --dilate, --radius, --strategy, --resize-mask, --write-unchanged, with ranges.
Result<InpaintFlags> parse_inpaint_flags(const ParsedArgs& a);

// The model (`--model`, contract flags) and its pipeline on the chosen device; classical
// methods need none and run on the CPU. `device_line` says which.
Result<std::unique_ptr<pipeline::InpaintPipeline>> make_inpaint_pipeline(const ParsedArgs& a,
                                                                         std::string* note,
                                                                         std::string* device_line,
                                                                         bool* is_gpu = nullptr);

// Reports a failure on stderr (and as {"ok":false,...} with --json); returns `exit_code`.
int inpaint_fail(bool json, const Status& s, int exit_code);

// INPUT is a folder: inpaint every image into -o OUTDIR with its mask; with `files`
// (several inputs), those files (a folder of masks is matched by each file's name).
int inpaint_folder(const ParsedArgs& args, const InpaintFlags& flags, const std::vector<std::string>& files = {});

}  // namespace toonbox::cli
