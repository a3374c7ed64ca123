// Each `toonbox <command>` is one function in its own cmd_<name>.cc file; main.cc only
// dispatches. `args` excludes the program and command names.
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"
#include "core/status.h"

namespace toonbox::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);
using OptionsFn = std::vector<ArgSpec> (*)();

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
  OptionsFn options = nullptr;      // the command's flags, for `toonbox completion`
  const char* subcommands = "";     // words its first argument takes ("list import ..."), if any
};

// Every command, in the order `toonbox help` lists them (command_table.cc).
const std::vector<Command>& all_commands();

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
int cmd_completion(const std::vector<std::string>& args);

std::vector<ArgSpec> cartoonize_options();
std::vector<ArgSpec> restore_options();
std::vector<ArgSpec> run_options();
std::vector<ArgSpec> upscale_options();
std::vector<ArgSpec> models_options();
std::vector<ArgSpec> doctor_options();
std::vector<ArgSpec> serve_options();
std::vector<ArgSpec> bench_options();
std::vector<ArgSpec> folder_status_options();
std::vector<ArgSpec> inpaint_options();

}  // namespace toonbox::cli
