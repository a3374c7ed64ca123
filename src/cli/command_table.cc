// The command table: `toonbox help` lists it, main() dispatches through it, and
// `toonbox completion` generates shell completions from it and each command's options.
#include "cli/commands.h"

namespace toonbox::cli {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      {"cartoonize", "cartoonize an image (neural model or the built-in style)", cmd_cartoonize,
       cartoonize_options},
      {"restore", "restore faces (GFPGAN, GPEN, CodeFormer-class ONNX models; docs/restore.md)",
       cmd_restore, restore_options},
      {"run", "run any image-to-image model (ONNX or TF.js) on an image", cmd_run, run_options},
      {"upscale", "upscale an image or a folder 2-4x (Real-ESRGAN / Real-CUGAN class)", cmd_upscale,
       upscale_options},
      {"models", "list, download, import, inspect and remove models", cmd_models, models_options,
       "list known info import download remove"},
      {"doctor", "explain whether and why the GPU can be used", cmd_doctor, doctor_options},
      {"serve", "local web page and REST API (docs/http-api.md)", cmd_serve, serve_options},
      {"bench", "speed, memory and CPU agreement table (docs/bench.md)", cmd_bench, bench_options},
      {"folder-status", "merge a sharded folder run's records: what is done, what is missing",
       cmd_folder_status, folder_status_options},
      {"inpaint", "remove what a mask marks (watermarks, text, objects) and fill it in",
       cmd_inpaint, inpaint_options},
      {"completion", "print a shell completion script: toonbox completion bash|zsh|fish",
       cmd_completion, nullptr, "bash zsh fish"},
  };
  return commands;
}

}  // namespace toonbox::cli
