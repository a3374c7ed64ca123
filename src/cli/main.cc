#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/malloc_policy.h"
#include "cli/openmp_policy.h"
#include "cli/version.h"

namespace {

using toonbox::cli::Command;

const Command kCommands[] = {
    {"cartoonize", "cartoonize an image (neural model or the built-in style)",
     toonbox::cli::cmd_cartoonize},
    {"restore", "restore faces (GFPGAN, GPEN, CodeFormer-class ONNX models; docs/restore.md)",
     toonbox::cli::cmd_restore},
    {"run", "run any image-to-image model (ONNX or TF.js) on an image", toonbox::cli::cmd_run},
    {"upscale", "upscale an image or a folder 2-4x (Real-ESRGAN / Real-CUGAN class)", toonbox::cli::cmd_upscale},
    {"models", "list, import and inspect models", toonbox::cli::cmd_models},
    {"doctor", "explain whether and why the GPU can be used", toonbox::cli::cmd_doctor},
    {"serve", "local web page and REST API (docs/http-api.md)", toonbox::cli::cmd_serve},
    {"bench", "speed, memory and CPU agreement table (docs/bench.md)", toonbox::cli::cmd_bench},
    {"folder-status", "merge a sharded folder run's records: what is done, what is missing",
     toonbox::cli::cmd_folder_status},
    {"inpaint", "remove what a mask marks (watermarks, text, objects) and fill it in", toonbox::cli::cmd_inpaint},
};

void print_usage(FILE* out) {
  std::fprintf(out, "toonbox %s: portrait image-AI models on NVIDIA GPUs and CPUs\n\n",
               TOONBOX_VERSION);
  std::fprintf(out, "usage: toonbox <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`toonbox help <command>` (or `toonbox <command> --help`) shows a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  toonbox::cli::use_passive_openmp_wait(argv);
  toonbox::cli::keep_freed_memory_in_malloc();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    print_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? toonbox::cli::kExitUsage : toonbox::cli::kExitOk;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::fputs(toonbox::cli::version_text().c_str(), stdout);
    return 0;
  }
  // `toonbox help COMMAND` is `toonbox COMMAND --help`; `toonbox help` the command list.
  if (!std::strcmp(argv[1], "help")) {
    if (argc < 3) {
      print_usage(stdout);
      return toonbox::cli::kExitOk;
    }
    for (const Command& c : kCommands) {
      if (std::strcmp(argv[2], c.name) == 0) return c.run({"--help"});
    }
    std::fprintf(stderr, "toonbox: no command '%s' to explain\n\n", argv[2]);
    print_usage(stderr);
    return toonbox::cli::kExitUsage;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  std::fprintf(stderr, "toonbox: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return toonbox::cli::kExitUsage;
}
