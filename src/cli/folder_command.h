// Folder mode shared by the image commands (`toonbox cartoonize DIR`, `toonbox restore
// DIR`): --recursive, --skip-existing (resume), --format, --batch-size, --json, progress,
// atomic writes, SIGINT/SIGTERM. A task gives its name, its failure printer and how to
// load its device stage (folder::DeviceFn); see folder_command.cc.
#pragma once

#include <functional>
#include <string>

#include "cli/args.h"
#include "engine/device_select.h"
#include "folder/folder_runner.h"

namespace toonbox::cli {

// What a task's loader gives back: the device stage and what to tell the user.
struct FolderModel {
  folder::DeviceFn device;
  std::string name, description;
  std::string note;         // printed as "note: ..." and put in the summary
  bool usage_error = false;  // an invalid_argument from loading is a command-line mistake
};

struct FolderTask {
  const char* command;  // "cartoonize", "restore": messages and the summary line
  // Prints a failure (and a JSON line with --json) and returns the exit code.
  std::function<int(bool json, const Status& s, int exit_code)> fail;
  // Loads the models on `device`; called only when there is an image to process.
  std::function<Status(const DeviceSelection& device, FolderModel* model)> load;
};

// INPUT (args.positional[0]) is a folder: process every image in it into -o OUTDIR.
int run_folder_command(const ParsedArgs& args, const FolderTask& task);

}  // namespace toonbox::cli
