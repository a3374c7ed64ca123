#include "folder/folder_plan.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace toonbox::folder {
namespace {

namespace fs = std::filesystem;

// Long lists (a thousand collisions) are cut in messages; the count is still given.
constexpr size_t kMaxListed = 10;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const char* extension_for(image::ImageFormat format) {
  switch (format) {
    case image::ImageFormat::kJpeg:
      return ".jpg";
    case image::ImageFormat::kWebp:
      return ".webp";
    case image::ImageFormat::kPng:
    case image::ImageFormat::kUnknown:
      break;
  }
  return ".png";
}

// Both canonical: is `path` `root` or below it? Compared by whole components, so
// /a/bc is not inside /a/b.
bool is_within(const fs::path& path, const fs::path& root) {
  auto p = path.begin(), r = root.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < kMaxListed; ++i) out += "\n  " + items[i];
  if (items.size() > kMaxListed) out += "\n  ... and " + std::to_string(items.size() - kMaxListed) + " more";
  return out;
}

class Scanner {
 public:
  Scanner(const FolderPlanOptions& options, fs::path output_canonical)
      : options_(options), output_canonical_(std::move(output_canonical)) {}

  // `ancestors` are the canonical folders from the input folder down to `dir`: a
  // symlink back to one of them is a loop, which would never end.
  Status scan(const fs::path& dir, const std::string& relative, std::vector<fs::path>* ancestors) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) return invalid_argument(dir.string() + ": cannot list the folder: " + ec.message());
    for (const auto& entry : entries) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      const std::string rel = relative.empty() ? name : relative + "/" + name;
      std::error_code type_ec;
      if (entry.is_directory(type_ec)) {  // follows symlinks, deliberately
        if (!options_.recursive) continue;
        const fs::path canonical = fs::canonical(entry.path(), type_ec);
        if (type_ec) return invalid_argument(entry.path().string() + ": " + type_ec.message());
        if (canonical == output_canonical_) {
          notes_.push_back(rel + "/ is the output folder: not scanned");
          continue;
        }
        if (std::find(ancestors->begin(), ancestors->end(), canonical) != ancestors->end())
          return invalid_argument(entry.path().string() + ": symlink loop (it leads back to " +
                                  canonical.string() + "); remove the link or run without --recursive");
        ancestors->push_back(canonical);
        TB_RETURN_IF_ERROR(scan(entry.path(), rel, ancestors));
        ancestors->pop_back();
      } else if (is_image_name(name)) {
        // Not checked for being a regular file here: a FIFO or device with an image name
        // becomes one failed image with a clear reason, not a refusal of the whole run.
        found_.push_back(rel);
      }
    }
    return Status::ok();
  }

  std::vector<std::string> take_found() { return std::move(found_); }
  std::vector<std::string> take_notes() { return std::move(notes_); }

 private:
  const FolderPlanOptions& options_;
  fs::path output_canonical_;
  std::vector<std::string> found_;
  std::vector<std::string> notes_;
};

}  // namespace

bool is_image_name(const std::string& file_name) {
  if (file_name.empty() || file_name[0] == '.') return false;
  const size_t dot = file_name.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string ext = lower(file_name.substr(dot));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp";
}

std::string output_name_for(const std::string& relative_input, image::ImageFormat format) {
  const size_t slash = relative_input.rfind('/');
  const size_t dot = relative_input.rfind('.');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
  return (has_ext ? relative_input.substr(0, dot) : relative_input) + extension_for(format);
}

namespace {

// OUTDIR resolved through the symlinks of its existing part (it may not exist yet); a
// file in its place is refused.
Result<fs::path> output_folder(const FolderPlanOptions& options) {
  std::error_code ec;
  const fs::path output_canonical = fs::weakly_canonical(fs::absolute(options.output_dir), ec);
  if (ec) return invalid_argument(options.output_dir + ": " + ec.message());
  if (fs::exists(output_canonical) && !fs::is_directory(output_canonical))
    return invalid_argument(options.output_dir + ": exists and is not a folder");
  return output_canonical;
}

// `outputs` maps each output name to the inputs that would write it; more than one is a
// collision, and all of them are listed.
Status refuse_collisions(const std::map<std::string, std::vector<std::string>>& outputs) {
  std::vector<std::string> collisions;
  for (const auto& [out, ins] : outputs) {
    if (ins.size() < 2) continue;
    std::string line = out + " <- ";
    for (size_t i = 0; i < ins.size(); ++i) line += (i ? ", " : "") + ins[i];
    collisions.push_back(line);
  }
  if (collisions.empty()) return Status::ok();
  return invalid_argument(std::to_string(collisions.size()) + " output name" + (collisions.size() == 1 ? "" : "s") +
                          " would be written by more than one input (rename the inputs or process them "
                          "separately):" + join_list(collisions));
}

// Puts each candidate into plan.todo or (--skip-existing) plan.already_done, refusing an
// output that would overwrite an input (`inputs_canonical`), one inside `input_root`
// (when given, without --allow-inside), an output path that is a folder, and existing
// outputs without --skip-existing or --overwrite.
struct Candidate {
  PlannedImage image;
  std::string output_relative;  // the output's path below OUTDIR
};

Status place_outputs(std::vector<Candidate> candidates, const std::set<fs::path>& inputs_canonical,
                     const fs::path& output_canonical, const fs::path* input_root, const FolderPlanOptions& options,
                     FolderPlan* plan) {
  std::error_code ec;
  std::vector<std::string> existing;
  for (Candidate& candidate : candidates) {
    PlannedImage& image = candidate.image;
    // The folder part resolved (a symlinked subfolder of OUTDIR could lead anywhere), the
    // name not: renaming onto a symlink replaces the link, not what it points to.
    const fs::path out_path = output_canonical / candidate.output_relative;
    const fs::path out_lexical = fs::weakly_canonical(out_path.parent_path(), ec) / out_path.filename();
    if (inputs_canonical.count(out_lexical))
      return invalid_argument(image.output + ": the output would overwrite the input " + image.input);
    if (input_root && !options.allow_inside && is_within(out_lexical, *input_root))
      return invalid_argument(image.output + ": the output would be written inside the input folder " +
                              options.input_dir + " (use --allow-inside to allow it)");
    const fs::file_status status = fs::symlink_status(image.output, ec);
    if (fs::exists(status)) {
      if (fs::is_directory(status)) return invalid_argument(image.output + ": the output path is a folder");
      // Complete by construction: outputs only ever appear under their final name through
      // an atomic rename of a synced temporary file.
      if (options.skip_existing) {
        plan->already_done.push_back(std::move(image));
        continue;
      }
      if (!options.overwrite) existing.push_back(image.output);
    }
    plan->todo.push_back(std::move(image));
  }
  if (!existing.empty())
    return invalid_argument(std::to_string(existing.size()) + " output" + (existing.size() == 1 ? "" : "s") +
                            " already exist (use --skip-existing to resume, or --overwrite to replace them):" +
                            join_list(existing));
  return Status::ok();
}

}  // namespace

Result<FolderPlan> plan_folder(const FolderPlanOptions& options) {
  std::error_code ec;
  const fs::path input_canonical = fs::canonical(options.input_dir, ec);
  if (ec || !fs::is_directory(input_canonical))
    return invalid_argument(options.input_dir + ": not a folder" + (ec ? ": " + ec.message() : ""));
  TB_ASSIGN_OR_RETURN(const fs::path output_canonical, output_folder(options));
  if (output_canonical == input_canonical)
    return invalid_argument(options.output_dir + ": the output folder is the input folder; outputs would mix with "
                            "inputs (and be taken as inputs next time): use another folder");
  if (is_within(output_canonical, input_canonical) && !options.allow_inside)
    return invalid_argument(options.output_dir + ": the output folder is inside the input folder " +
                            options.input_dir + " (use --allow-inside to allow it; it is then not scanned)");

  Scanner scanner(options, output_canonical);
  std::vector<fs::path> ancestors = {input_canonical};
  TB_RETURN_IF_ERROR(scanner.scan(options.input_dir, "", &ancestors));
  std::vector<std::string> found = scanner.take_found();
  std::sort(found.begin(), found.end());

  FolderPlan plan;
  plan.notes = scanner.take_notes();
  const fs::path input_dir(options.input_dir), output_dir(options.output_dir);
  std::map<std::string, std::vector<std::string>> by_output;
  for (const std::string& rel : found) by_output[output_name_for(rel, options.format)].push_back(rel);
  TB_RETURN_IF_ERROR(refuse_collisions(by_output));

  // The output may coincide with an input only through symlinks (OUTDIR is never the
  // input folder and is not scanned); compared by path because the atomic rename
  // replaces the directory entry, never the file a link points to.
  std::set<fs::path> inputs_canonical;
  for (const std::string& rel : found) inputs_canonical.insert(fs::weakly_canonical(input_dir / rel, ec));
  std::vector<Candidate> candidates;
  for (const std::string& rel : found) {
    if (options.keep && !options.keep(rel)) continue;
    const std::string out_rel = output_name_for(rel, options.format);
    candidates.push_back({{rel, (input_dir / rel).string(), (output_dir / out_rel).string()}, out_rel});
  }
  TB_RETURN_IF_ERROR(
      place_outputs(std::move(candidates), inputs_canonical, output_canonical, &input_canonical, options, &plan));
  return plan;
}

Result<FolderPlan> plan_files(const std::vector<std::string>& inputs, const FolderPlanOptions& options) {
  TB_ASSIGN_OR_RETURN(const fs::path output_canonical, output_folder(options));
  std::error_code ec;
  const fs::path output_dir(options.output_dir);
  std::map<std::string, std::vector<std::string>> by_output;
  std::set<fs::path> inputs_canonical;
  std::vector<Candidate> candidates;
  for (const std::string& input : inputs) {
    const std::string name = fs::path(input).filename().string();
    const std::string out_name = output_name_for(name, options.format);
    by_output[out_name].push_back(input);
    inputs_canonical.insert(fs::weakly_canonical(input, ec));
    candidates.push_back({{name, input, (output_dir / out_name).string()}, out_name});
  }
  TB_RETURN_IF_ERROR(refuse_collisions(by_output));
  FolderPlan plan;
  TB_RETURN_IF_ERROR(place_outputs(std::move(candidates), inputs_canonical, output_canonical, nullptr, options, &plan));
  return plan;
}

}  // namespace toonbox::folder
