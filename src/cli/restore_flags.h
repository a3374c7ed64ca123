// The face-restoration flags `toonbox restore` takes (and `cartoonize --restore` the
// fidelity of), parsed with range checks and messages that say what is allowed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.h"
#include "pipeline/restore/restore_pipeline.h"

namespace toonbox::cli {

// --fidelity, --upscale, --faces-only, --face-template, --face-size, --min-face,
// --face-score, --face-batch, with their --help texts (restore's).
std::vector<ArgSpec> restore_arg_specs();
Result<pipeline::RestoreOptions> parse_restore_options(const ParsedArgs& args);
// --face-template, --face-size.
Result<models::FaceRestoreOverrides> parse_restore_overrides(const ParsedArgs& args);

// `cartoonize --restore MODEL [--fidelity W]`: the restore pipeline run on each image
// before it is stylized; null without --restore.
Result<std::shared_ptr<pipeline::RestorePipeline>> load_restore_before_cartoonize(
    const ParsedArgs& args, const engine::DeviceSelection& device);
// Restores `image` when `restore` is set (its notes prefixed "restore: " into `notes`).
Result<image::Image> restore_before_cartoonize(pipeline::RestorePipeline* restore,
                                               const ParsedArgs& args, const image::Image& image,
                                               std::vector<std::string>* notes);

}  // namespace toonbox::cli
