// toonbox cartoonize DIR -o OUTDIR (or several files): the shared folder mode (folder_command.h) with the
// CartoonPipeline as its device stage.
#include <memory>

#include "cli/cartoonize_folder.h"
#include "cli/commands.h"
#include "cli/contract_flags.h"
#include "cli/folder_command.h"
#include "cli/restore_flags.h"
#include "pipeline/cartoon_pipeline.h"

namespace toonbox::cli {

int cartoonize_folder(const ParsedArgs& args, const pipeline::CartoonOptions& options,
                      const std::vector<std::string>& files) {
  FolderTask task;
  task.command = "cartoonize";
  task.fail = [](bool json, const Status& s, int code) { return cartoonize_fail(json, s, code); };
  task.load = [&](const engine::DeviceSelection& device, FolderModel* m) -> Status {
    auto flags = parse_contract_flags(args);
    if (!flags.is_ok()) {
      m->usage_error = true;
      return flags.status();
    }
    TB_ASSIGN_OR_RETURN(
        pipeline::CartoonModels models,
        pipeline::load_cartoon_models(args.get("--model"), args.get("--head-model"), options.mode,
                                      device, &m->note, flags.value()));
    TB_ASSIGN_OR_RETURN(std::shared_ptr<pipeline::RestorePipeline> restore,
                        load_restore_before_cartoonize(args, device));
    // --upscale N: the finishing step, after stylizing (cartoonize's single-image path too).
    TB_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::Upscaler> finishing_owned,
                        load_finishing_upscaler(args, device));
    std::shared_ptr<pipeline::Upscaler> finishing = std::move(finishing_owned);
    auto pipeline = std::make_shared<pipeline::CartoonPipeline>(std::move(models));
    m->name = pipeline->models().background->model().name;
    m->description = pipeline->models().background->model().description;
    m->device = [pipeline, restore, finishing, options, &args](
                    const std::vector<const image::Image*>& images,
                    std::vector<folder::ImageNote>* notes) -> Result<std::vector<image::Image>> {
      // --restore: faces are restored first, image by image (the restorer batches faces).
      std::vector<image::Image> restored;
      std::vector<std::vector<std::string>> restore_notes(images.size());
      std::vector<const image::Image*> inputs = images;
      if (restore) {
        for (size_t i = 0; i < images.size(); ++i) {
          TB_ASSIGN_OR_RETURN(
              image::Image r,
              restore_before_cartoonize(restore.get(), args, *images[i], &restore_notes[i]));
          restored.push_back(std::move(r));
        }
        for (size_t i = 0; i < images.size(); ++i) inputs[i] = &restored[i];
      }
      std::vector<pipeline::CartoonReport> reports;
      TB_ASSIGN_OR_RETURN(std::vector<image::Image> out,
                          pipeline->process_batch(inputs, options, &reports));
      for (size_t i = 0; i < reports.size(); ++i) {
        std::vector<std::string> all = restore_notes[i];
        for (const std::string& n : reports[i].all_notes()) all.push_back(n);
        if (finishing) {
          TB_ASSIGN_OR_RETURN(out[i], finishing->upscale(out[i]));
          all.push_back("upscaled x" + std::to_string(finishing->scale()) + " with " + finishing->name());
        }
        notes->push_back(
            {pipeline::cartoon_mode_name(reports[i].mode_used), reports[i].faces, all});
      }
      return out;
    };
    return Status::ok();
  };
  return run_folder_command(args, task, files);
}

}  // namespace toonbox::cli
