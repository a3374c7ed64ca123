// The `inpaint` task: `toonbox inpaint` on each image with a centred box a quarter of
// each side as the mask (`--mask centre:25`, made from the image size, so every size gets
// the same kind of hole), whole image (strategy original: the cost of the method at that
// size, not of a crop). Models: telea and ns (built in, CPU) and the installed inpainters.
#pragma once

#include "bench/bench_task.h"

namespace toonbox::bench {

class InpaintTask : public BenchTask {
 public:
  std::string name() const override { return "inpaint"; }
  std::vector<std::string> default_models() const override;
  Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                           const engine::DeviceSelection& device) const override;
  std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                    const std::string& precision, const std::string& input,
                                    const std::string& output) const override;
};

}  // namespace toonbox::bench
