// The cartoonize task: CartoonPipeline::process_batch, as `toonbox cartoonize` and the
// server run it, in whole-image mode at the requested size exactly (resolution: full,
// never tiled), so a 2048 row is a 2048x2048 inference and not the model authors'
// 720-px rule or a set of tiles.
#pragma once

#include "bench/bench_task.h"

namespace toonbox::bench {

class CartoonizeTask : public BenchTask {
 public:
  std::string name() const override { return "cartoonize"; }
  // whitebox and animeganv3-cute where installed, and the built-in classic style.
  std::vector<std::string> default_models() const override;
  Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                           const engine::DeviceSelection& device) const override;
  std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                    const std::string& precision, const std::string& input,
                                    const std::string& output) const override;
};

}  // namespace toonbox::bench
