#include "bench/bench_task.h"

#include <new>

#include "bench/cartoonize_task.h"
#include "bench/image_model_task.h"
#include "bench/inpaint_task.h"
#include "bench/restore_task.h"
#include "bench/upscale_task.h"

namespace toonbox::bench {

namespace {

// fp32 on any device must give the CPU's picture up to rounding of the last bit before
// the 8-bit conversion (docs/testing.md: CUDA fp32 vs CPU, White-box max abs <= 1e-3 of
// the [-1,1] range; the classic style >= 40 dB), and a CPU batch must equal the single
// image: 40 dB is far below what either gives and far above a wrong picture.
constexpr double kFloorFp32Db = 40;
// fp16: the lowest the model tests promise (docs/testing.md, docs/cuda-backend.md).
constexpr double kFloorFp16WhiteboxDb = 40;  // White-box fp16 vs fp32 on photos (~70 measured)
constexpr double kFloorFp16AnimeganDb = 35;  // AnimeGANv3 fp16 vs ONNX Runtime
constexpr double kFloorFp16DefaultDb = 30;   // the classic style (rounding steps), unknown models

}  // namespace

double BenchTask::agreement_floor_db(const std::string& model, Precision precision) const {
  if (precision == Precision::kFloat32) return kFloorFp32Db;
  if (model.rfind("whitebox", 0) == 0) return kFloorFp16WhiteboxDb;
  if (model.rfind("animeganv3", 0) == 0) return kFloorFp16AnimeganDb;
  return kFloorFp16DefaultDb;
}

Result<std::vector<image::Image>> run_guarded(TaskRunner& runner,
                                              const std::vector<const image::Image*>& images,
                                              CallReport* report) {
  try {
    return runner.run(images, report);
  } catch (const std::bad_alloc&) {
    return out_of_memory("host memory ran out with " + std::to_string(images.size()) +
                         " image(s) in the call");
  }
}

std::vector<std::string> bench_task_names() { return {"cartoonize", "run", "upscale", "inpaint", "restore"}; }

Result<std::unique_ptr<BenchTask>> make_bench_task(const std::string& name) {
  if (name == "cartoonize") return std::unique_ptr<BenchTask>(std::make_unique<CartoonizeTask>());
  if (name == "run") return std::unique_ptr<BenchTask>(std::make_unique<ImageModelTask>());
  if (name == "inpaint") return std::unique_ptr<BenchTask>(std::make_unique<InpaintTask>());
  if (name == "upscale") return std::unique_ptr<BenchTask>(std::make_unique<UpscaleTask>());
  if (name == "restore") return std::unique_ptr<BenchTask>(std::make_unique<RestoreTask>());
  return invalid_argument("--task: '" + name + "' is not a task bench knows (cartoonize, run, upscale, inpaint, restore)");
}

}  // namespace toonbox::bench
