#include "bench/pipeline_mode.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "folder/folder_plan.h"
#include "folder/folder_runner.h"
#include "image/image_io.h"

namespace toonbox::bench {

namespace {

constexpr int kDistinctFiles = 8;  // enough that no decoder sees one file over and over
// Below this share of model compute in the device stage, the device worker is mostly
// converting and copying on the host.
constexpr double kModelShareFloor = 0.5;

struct TempFolder {
  std::string path;
  TempFolder() {
    std::string t = (std::filesystem::temp_directory_path() / "toonbox-bench-XXXXXX").string();
    if (mkdtemp(t.data())) path = t;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

std::string percent(double share) {
  return std::to_string(static_cast<int>(share * 100 + 0.5)) + "%";
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// `input` with every channel shifted by `variant` levels: distinct files, same content.
image::Image variant_of(const image::Image& input, int variant) {
  image::Image v = input;
  v.alpha.clear();
  for (uint8_t& c : v.rgb) c = static_cast<uint8_t>(std::min(255, c + 3 * variant));
  return v;
}

}  // namespace

void judge_pipeline(PipelineResult* r) {
  struct Stage {
    const char* name;
    double utilisation;
  };
  const Stage stages[] = {{"device", r->device_utilisation},
                          {"decode", r->decode_utilisation},
                          {"encode", r->encode_utilisation}};
  const Stage* busiest = &stages[0];
  for (const Stage& s : stages)
    if (s.utilisation > busiest->utilisation) busiest = &s;
  r->bound_by = busiest->name;
  const double model_share =
      r->device_stage_ms_per_image > 0 ? r->model_ms_per_image / r->device_stage_ms_per_image : 1.0;
  if (r->bound_by != "device") {
    r->host_bound = true;
    r->verdict = std::string("host-bound: the ") + busiest->name + " threads were busy " +
                 percent(busiest->utilisation) + " of the time, the device stage " +
                 percent(r->device_utilisation);
  } else if (model_share < kModelShareFloor) {
    r->host_bound = true;
    r->verdict = "host-bound: the device stage (busy " + percent(r->device_utilisation) +
                 ") spends " + fixed2(r->device_stage_ms_per_image) +
                 " ms per image, of which the model's compute is " + fixed2(r->model_ms_per_image) +
                 " ms: the rest is host work in the device worker";
  } else {
    r->host_bound = false;
    r->verdict = "device-bound: the device stage was busy " + percent(r->device_utilisation) +
                 " of the time, the model's compute " + percent(std::min(1.0, model_share)) +
                 " of it";
  }
}

PipelineResult run_pipeline_mode(const std::vector<TaskRunner*>& runners, const image::Image& input,
                                 const PipelineSettings& settings) {
  PipelineResult r;
  r.output_format = settings.output_format;
  r.model_ms_per_image = settings.model_ms_per_image;
  TempFolder tmp;
  if (tmp.path.empty()) {
    r.error = "cannot create a temporary folder";
    return r;
  }
  const std::string in_dir = tmp.path + "/in", out_dir = tmp.path + "/out";
  std::error_code ec;
  std::filesystem::create_directories(in_dir, ec);
  std::vector<std::vector<uint8_t>> files;
  for (int v = 0; v < std::min(kDistinctFiles, settings.images); ++v) {
    auto bytes = image::encode_image(variant_of(input, v),
                                     image::EncodeOptions{image::ImageFormat::kJpeg, 92});
    if (!bytes.is_ok()) {
      r.error = "encoding the pipeline's inputs: " + bytes.status().message();
      return r;
    }
    files.push_back(std::move(bytes).value());
  }
  for (int i = 0; i < settings.images; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%05d.jpg", i);
    if (Status s = image::atomic_write_file(in_dir + name, files[i % files.size()]); !s.is_ok()) {
      r.error = s.message();
      return r;
    }
  }
  folder::FolderPlanOptions plan_options;
  plan_options.input_dir = in_dir;
  plan_options.output_dir = out_dir;
  plan_options.format = image::format_from_extension("x." + settings.output_format);
  auto plan = folder::plan_folder(plan_options);
  if (!plan.is_ok()) {
    r.error = plan.status().message();
    return r;
  }
  std::filesystem::create_directories(out_dir, ec);
  folder::RunnerOptions options;
  options.batch_size = settings.batch;
  options.stop = settings.stop;
  options.encode = image::EncodeOptions{plan_options.format, 92};
  folder::choose_stage_threads(settings.gpu, static_cast<int>(std::thread::hardware_concurrency()),
                              &options);
  std::vector<folder::DeviceWorker> workers;
  for (TaskRunner* runner : runners) {
    folder::DeviceFn device =
        [runner](const std::vector<const image::Image*>& images,
                 std::vector<folder::ImageNote>* notes) -> Result<std::vector<image::Image>> {
      CallReport call;
      TB_ASSIGN_OR_RETURN(std::vector<image::Image> out, runner->run(images, &call));
      notes->assign(images.size(), folder::ImageNote{"", 0, call.notes});
      return out;
    };
    workers.push_back({"stream " + std::to_string(workers.size() + 1), std::move(device)});
  }
  r.streams = static_cast<int>(workers.size());
  std::string first_failure;
  const folder::RunSummary s =
      folder::run_folder(plan->todo, workers, options, [&](const folder::ImageResult& res) {
        if (!res.status.is_ok() && first_failure.empty()) first_failure = res.status.message();
      });
  r.images = s.total;
  r.failed = s.failed;
  r.seconds = s.wall_ms / 1000;
  r.images_per_s = s.wall_ms > 0 ? (s.ok + s.failed) / r.seconds : 0;
  r.decode_threads = options.decode_threads;
  r.encode_threads = options.encode_threads;
  r.decode_busy_ms = s.decode_busy_ms;
  r.device_busy_ms = s.device_busy_ms;
  r.encode_busy_ms = s.encode_busy_ms;
  r.device_calls = s.device_calls;
  if (s.wall_ms > 0) {
    r.overlap = (s.decode_busy_ms + s.device_busy_ms + s.encode_busy_ms) / s.wall_ms;
    r.decode_utilisation = s.decode_busy_ms / (s.wall_ms * options.decode_threads);
    r.device_utilisation = s.device_busy_ms / (s.wall_ms * r.streams);
    r.encode_utilisation = s.encode_busy_ms / (s.wall_ms * options.encode_threads);
  }
  if (s.ok > 0) r.device_stage_ms_per_image = s.device_busy_ms / r.streams / s.ok;
  if (s.stopped) {
    r.error = "interrupted after " + std::to_string(s.ok + s.failed) + " of " +
              std::to_string(s.total) + " images";
    return r;
  }
  if (s.failed > 0) {
    r.error = std::to_string(s.failed) + " of " + std::to_string(s.total) +
              " images failed: " + first_failure;
    return r;
  }
  judge_pipeline(&r);
  r.ok = true;
  return r;
}

}  // namespace toonbox::bench
