// The `upscale` task: an upscaler through pipeline/upscale/upscaler.h, as `toonbox
// upscale` runs it, on the whole image (tile -1: an input that does not fit is an
// out-of-memory row, not a tiled one), one image per device call.
#pragma once

#include "bench/bench_task.h"

namespace toonbox::bench {

class UpscaleTask : public BenchTask {
 public:
  std::string name() const override { return "upscale"; }
  // The installed registry upscalers (realesr-animevideov3-x2/x3/x4, realcugan-2x-conservative).
  std::vector<std::string> default_models() const override;
  Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                           const engine::DeviceSelection& device) const override;
  std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                    const std::string& precision, const std::string& input,
                                    const std::string& output) const override;
  // fp16: 40 dB, the fp16 criterion against PyTorch (tests/models/ncnn_models_test.cc).
  double agreement_floor_db(const std::string& model, Precision precision) const override;
};

}  // namespace toonbox::bench
