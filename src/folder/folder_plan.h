// Planning a folder run before any work: which images, their output names, and every
// refusal that can be decided up front (output folder inside the input tree, name
// collisions, outputs that already exist, symlink loops), so a mistake never costs a
// model load or leaves half a folder behind.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::folder {

struct FolderPlanOptions {
  std::string input_dir;
  std::string output_dir;
  bool recursive = false;      // include subfolders; outputs mirror the tree
  bool skip_existing = false;  // an existing output counts as done
  bool overwrite = false;      // an existing output is replaced
  bool allow_inside = false;   // OUTDIR may lie inside the input tree (it is not scanned)
  image::ImageFormat format = image::ImageFormat::kPng;
  // When set, only the inputs it keeps are planned (a shard: see folder_shard.h). Name
  // collisions are still checked over the whole folder, so every shard refuses alike.
  std::function<bool(const std::string& relative)> keep;
};

struct PlannedImage {
  std::string relative;  // input path relative to the input folder, '/'-separated
  std::string input;     // input_dir joined with relative
  std::string output;    // output_dir joined with the output name
};

struct FolderPlan {
  std::vector<PlannedImage> todo;          // sorted by relative path
  std::vector<PlannedImage> already_done;  // outputs that exist (--skip-existing)
  std::vector<std::string> notes;          // e.g. "OUTDIR is inside the input tree: not scanned"
};

// .jpg .jpeg .png .webp in any case. Hidden names (leading '.') are not images: they are
// editor and OS droppings ("._photo.jpg" on macOS volumes) and our own temporary files.
bool is_image_name(const std::string& file_name);

// "sub/a.jpeg" -> "sub/a.png" for kPng: the extension is replaced, the rest kept.
std::string output_name_for(const std::string& relative_input, image::ImageFormat format);

// Scans and checks; every refusal is kInvalidArgument with a message that names the
// paths and the flag that changes the decision. Does not create anything.
Result<FolderPlan> plan_folder(const FolderPlanOptions& options);

// The same for an explicit list of image files (`toonbox cartoonize a.jpg b.png -o OUTDIR`):
// each goes to OUTDIR/<its name with the format's extension>, in the order given. Two
// inputs with the same output name (a.jpg and x/a.png) are a collision, refused with the
// rest of the checks plan_folder makes on outputs. options.input_dir, .recursive,
// .allow_inside and .keep are not used. A file that is missing or unreadable is not
// refused here: it fails alone when it is read, as in a folder.
Result<FolderPlan> plan_files(const std::vector<std::string>& inputs, const FolderPlanOptions& options);

}  // namespace toonbox::folder
