// toonbox cartoonize DIR -o OUTDIR: not built yet (issue #4).
#include <cstdio>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"

namespace toonbox::cli {

int cartoonize_folder(const ParsedArgs& args, const CartoonOptions&) {
  std::fprintf(stderr, "toonbox cartoonize: %s is a folder; folder mode is not implemented in this build\n",
               args.positional[0].c_str());
  return kExitFailure;
}

}  // namespace toonbox::cli
