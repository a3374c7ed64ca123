// The `run` task: any image-to-image model through pipeline/image_model.h, as
// `toonbox run` does it (contract from the registry, the manifest or the graph), with
// batches as one [N,...] call where the model allows them.
#pragma once

#include "bench/bench_task.h"

namespace toonbox::bench {

class ImageModelTask : public BenchTask {
 public:
  std::string name() const override { return "run"; }
  // The installed image models bench knows to be image-to-image (whitebox, animeganv3-cute).
  std::vector<std::string> default_models() const override;
  Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                           const engine::DeviceSelection& device) const override;
  std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                    const std::string& precision, const std::string& input,
                                    const std::string& output) const override;
};

}  // namespace toonbox::bench
