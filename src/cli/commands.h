// Each `toonbox <command>` is one function in its own cmd_<name>.cc file; main.cc only
// dispatches. `args` excludes the program and command names.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work failed (bad input file, device error)
inline constexpr int kExitUsage = 2;    // wrong command line

// A command-line mistake (kInvalidArgument: a misspelt --device, a bad flag value) exits
// with kExitUsage; anything found while working (no usable GPU, a bad file) with
// kExitFailure.
inline int exit_code_for(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int cmd_cartoonize(const std::vector<std::string>& args);
int cmd_models(const std::vector<std::string>& args);
int cmd_doctor(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);
int cmd_folder_status(const std::vector<std::string>& args);
int cmd_restore(const std::vector<std::string>& args);
int cmd_inpaint(const std::vector<std::string>& args);
int cmd_upscale(const std::vector<std::string>& args);

}  // namespace toonbox::cli
