// The `restore` task: RestorePipeline::process on the whole image, as `toonbox restore`
// runs it (detect -> align -> the restorer, faces batched -> paste back), so a row's time
// is the end-to-end time of one photo: detection, crops, every device call and the paste.
// Bench a photo with faces (--image, e.g. the Solvay 1927 group photo at its own size): a
// picture without faces is passed through and the row says so in its notes.
#pragma once

#include "bench/bench_task.h"

namespace toonbox::bench {

class RestoreTask : public BenchTask {
 public:
  std::string name() const override { return "restore"; }
  // The installed face restorers (GPEN, GFPGAN, CodeFormer, ...).
  std::vector<std::string> default_models() const override;
  Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                           const engine::DeviceSelection& device) const override;
  std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                    const std::string& precision, const std::string& input,
                                    const std::string& output) const override;
  // fp16 (the restorer's mixed precision, restore_precision.h): 40 dB, the issue's
  // consistency criterion between CPU fp32, CUDA fp32 and CUDA mixed precision.
  double agreement_floor_db(const std::string& model, Precision precision) const override;
};

}  // namespace toonbox::bench
