// toonbox inpaint DIR --mask DIR|FILE|alpha -o OUTDIR: every image of a folder with its
// mask (matched by name from a folder of masks, or one mask for all: batch watermark
// removal), through the generic folder runner (resumable, atomic, progress).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/folder_command.h"
#include "cli/inpaint_command.h"
#include "cli/stop_signals.h"
#include "image/image_io.h"

namespace toonbox::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMaskExtensions[] = {".png", ".jpg", ".jpeg", ".webp", ".PNG", ".JPG", ".JPEG", ".WEBP"};

// "sub/a.jpg" -> the one existing MASKDIR/sub/a.{png,jpg,jpeg,webp}; "" when none.
Result<std::string> mask_for(const std::string& mask_dir, const std::string& relative) {
  const fs::path stem = fs::path(relative).replace_extension("");
  std::vector<std::string> found;
  std::error_code ec;
  for (const char* ext : kMaskExtensions) {
    fs::path candidate = fs::path(mask_dir) / stem;
    candidate += ext;
    if (fs::is_regular_file(candidate, ec)) found.push_back(candidate.string());
  }
  if (found.size() > 1)
    return invalid_argument("two masks for " + relative + ": " + found[0] + " and " + found[1] + "; keep one");
  return found.empty() ? std::string() : found[0];
}

bool is_inside(const fs::path& child, const fs::path& parent) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(child, ec), p = fs::weakly_canonical(parent, ec);
  const auto [pe, ce] = std::mismatch(p.begin(), p.end(), c.begin(), c.end());
  return pe == p.end();
}

}  // namespace

int inpaint_folder(const ParsedArgs& args, const InpaintFlags& flags, const std::vector<std::string>& files) {
  const bool json = folder_json(args);
  auto folder_flags = parse_folder_flags(args, /*max_batch=*/0, files);
  if (!folder_flags.is_ok()) return inpaint_fail(json, folder_flags.status(), kExitUsage);
  auto plan = plan_inputs(folder_flags.value());
  if (!plan.is_ok()) return inpaint_fail(json, plan.status(), exit_code_for(plan.status()));

  // Which mask each image takes, decided before any work.
  std::error_code ec;
  const bool from_alpha = flags.mask == "alpha";
  const bool mask_dir = !from_alpha && fs::is_directory(flags.mask, ec);
  if (!from_alpha && !mask_dir && !fs::is_regular_file(flags.mask, ec))
    return inpaint_fail(json, not_found(flags.mask + ": no such mask file or folder"), kExitFailure);
  std::map<std::string, std::string> mask_of;  // input path -> mask path
  std::vector<folder::PlannedImage> todo;
  std::vector<std::string> missing;
  for (const folder::PlannedImage& image : plan->todo) {
    if (mask_dir && is_inside(image.input, flags.mask)) continue;  // the masks themselves
    if (mask_dir) {
      auto m = mask_for(flags.mask, image.relative);
      if (!m.is_ok()) return inpaint_fail(json, m.status(), kExitUsage);
      if (m->empty()) {
        missing.push_back(image.relative);
        continue;
      }
      mask_of[image.input] = *m;
    }
    todo.push_back(image);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 10; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 10) list += ", ...";
    return inpaint_fail(json,
                        invalid_argument(std::to_string(missing.size()) + " image" + (missing.size() == 1 ? "" : "s") +
                                         " have no mask in " + flags.mask + " (a.jpg takes a.png, a.jpg, a.jpeg or "
                                         "a.webp there): " + list),
                        kExitUsage);
  }
  // One mask for the whole folder: decoded once.
  image::Image shared_mask;
  if (!from_alpha && !mask_dir) {
    auto m = image::read_image_file(flags.mask, image::DecodeOptions{});
    if (!m.is_ok()) return inpaint_fail(json, m.status().with_context("the mask"), kExitFailure);
    shared_mask = std::move(m).value();
  }

  folder::RunContext context;
  context.input_dir = folder_flags->plan.input_dir;
  context.output_dir = folder_flags->plan.output_dir;
  context.skipped_existing = static_cast<int>(plan->already_done.size());
  context.batch_size = 1;
  context.batch_rule = "one image per call (each has its own mask)";
  int removed = 0;
  if (Status s = prepare_output_folders(*plan, folder_flags->plan.output_dir, &removed); !s.is_ok())
    return inpaint_fail(json, s, kExitFailure);

  std::string note, device_line = "(none: nothing to do)";
  bool is_gpu = false;
  std::unique_ptr<pipeline::InpaintPipeline> pipeline;
  if (!todo.empty()) {
    auto made = make_inpaint_pipeline(args, &note, &device_line, &is_gpu);
    if (!made.is_ok()) return inpaint_fail(json, made.status(), exit_code_for(made.status()));
    pipeline = std::move(made).value();
  }
  context.model = pipeline ? pipeline->model().name : "(none loaded)";
  context.device = device_line;
  const Console out(false, folder_flags->verbosity);
  if (!json) {
    if (!note.empty()) out.status("note: %s\n", note.c_str());
    if (pipeline) out.status("model: %s (%s)\n", context.model.c_str(), pipeline->model().description.c_str());
    out.status("device: %s\n", device_line.c_str());
    out.status("%zu image%s to inpaint into %s", todo.size(), todo.size() == 1 ? "" : "s", context.output_dir.c_str());
    if (!plan->already_done.empty()) out.status(" (%zu already done, skipped)", plan->already_done.size());
    out.status("; masks: %s\n", from_alpha ? "each image's alpha" : mask_dir ? ("by name from " + flags.mask).c_str()
                                                                              : ("one for all: " + flags.mask).c_str());
    for (const auto& n : plan->notes) out.status("note: %s\n", n.c_str());
    if (removed) out.status("note: removed %d temporary file%s of an interrupted run\n", removed, removed == 1 ? "" : "s");
  }

  folder::RunnerOptions runner = folder_flags->runner;
  runner.batch_size = 1;
  folder::choose_stage_threads(is_gpu, static_cast<int>(std::thread::hardware_concurrency()), &runner);
  runner.stop = StopSignals::flag();
  folder::PlannedDeviceFn run_device =
      [&](const std::vector<const image::Image*>& images,
          const std::vector<const folder::PlannedImage*>& planned,
          std::vector<folder::ImageNote>* notes) -> Result<std::vector<image::Image>> {
    std::vector<image::Image> out;
    for (size_t i = 0; i < images.size(); ++i) {
      const folder::PlannedImage& p = *planned[i];
      image::Image own_mask;
      const image::Image* mask_image = nullptr;
      std::string mask_name = from_alpha ? p.input + "'s alpha" : flags.mask;
      if (mask_dir) {
        mask_name = mask_of.at(p.input);
        TB_ASSIGN_OR_RETURN(own_mask, image::read_image_file(mask_name, image::DecodeOptions{}));
        mask_image = &own_mask;
      } else if (!from_alpha) {
        mask_image = &shared_mask;
      }
      TB_ASSIGN_OR_RETURN(pipeline::InpaintMask mask,
                          pipeline::mask_for_image(*images[i], mask_image, flags.resize_mask,
                                                   flags.dilate, mask_name, p.input));
      folder::ImageNote note_out;
      note_out.mode = pipeline->model().name;
      if (mask.empty()) {
        if (!flags.write_unchanged)
          return invalid_argument("nothing to do: the mask " + mask_name +
                                  " marks no pixel (--write-unchanged writes such images as they are)");
        note_out.notes.push_back("the mask is empty: written unchanged");
      }
      pipeline::InpaintReport report;
      TB_ASSIGN_OR_RETURN(image::Image result,
                          pipeline->inpaint(*images[i], mask, flags.options, &report));
      note_out.notes.insert(note_out.notes.end(), report.notes.begin(), report.notes.end());
      notes->push_back(std::move(note_out));
      out.push_back(std::move(result));
    }
    return out;
  };
  FolderProgress progress(json, static_cast<int>(todo.size()), out.quiet());
  folder::RunSummary summary;
  {
    StopSignals signals;
    summary = folder::run_folder_planned(todo, run_device, runner,
                                         [&](const folder::ImageResult& r) { progress.on_result(r); });
  }
  progress.end_line();
  return finish_folder_run("inpaint", json, summary, context, note, nullptr, out.quiet());
}

}  // namespace toonbox::cli
