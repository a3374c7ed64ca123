// Which images a command was given: one INPUT (a file, `-`, or a folder), or several
// files and quoted glob patterns (`toonbox cartoonize a.jpg 'shots/*.png' -o outdir/`),
// which then run like a folder into -o OUTDIR (folder::plan_files).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::cli {

struct InputList {
  std::vector<std::string> paths;  // the arguments, patterns replaced by their matches
  bool several = false;            // more than one argument, or a pattern: OUTPUT is a folder
};

// A path that exists is taken as it is, even one with `*` in its name. One that does not
// exist and holds `*`, `?` or `[` is expanded with glob(3) (for a shell that passed it
// quoted, or one that does not expand); its image files (.jpg .jpeg .png .webp) are kept,
// and a pattern matching none is an error naming it. Any other path is kept: a missing
// file fails when it is read, naming itself. `-` (stdin) and folders only come alone.
// With several, OUTPUT must be a folder (existing or to be created): not stdout, and not
// a name that looks like an image file, which is almost always a forgotten folder name.
Result<InputList> expand_inputs(const std::vector<std::string>& arguments,
                                const std::string& output);

}  // namespace toonbox::cli
