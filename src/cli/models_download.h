// `toonbox models download NAME [--from DIR] [--yes] [-q]` (cmd_models_download.cc), called
// by cmd_models.cc: the licence screen and its acceptance, progress, the result.
#pragma once

#include "cli/args.h"

namespace toonbox::cli {

int models_download(const ParsedArgs& args);

}  // namespace toonbox::cli
