#include "bench/bench_run.h"

#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

#include "bench/bench_input.h"
#include "bench/image_metrics.h"
#include "core/timing.h"
#include "image/image_io.h"
#include "core/error_code.h"

namespace toonbox::bench {

namespace {

constexpr int kColdStartTimeoutS = 600;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string this_binary() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : p.string();
}

class Bench {
 public:
  Bench(const BenchOptions& options, const BenchTask& task, const image::Image* photo,
        const ProgressFn& progress)
      : options_(options), task_(task), photo_(photo), progress_(progress) {}

  // Fills run->results row by row, handing the run to `after_each` as it grows.
  void run_all(BenchRun* run, const PartialFn& after_each) {
    const std::vector<BenchConfig> configs = expand_matrix(options_, &run->notes);
    // The CUDA backend's switches change what a row measures: say so in the report.
    for (const char* name : {"TOONBOX_CUDA_TF32", "TOONBOX_CUDA_CONV_API", "TOONBOX_CUDA_GRAPHS"}) {
      if (const char* v = std::getenv(name); v != nullptr && v[0] != '\0')
        run->notes.push_back(std::string(name) + "=" + v + " (docs/cuda-backend.md)" +
                             (std::string(name) == "TOONBOX_CUDA_TF32" && v[0] != '0'
                                  ? ": fp32 rows on the GPU use TF32 tensor cores, not strict fp32"
                                  : ""));
    }
    run->planned = static_cast<int>(configs.size());
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < configs.size(); ++i) {
      if (options_.stop_requested()) {
        run->interrupted = true;
        run->notes.push_back("interrupted: " + std::to_string(configs.size() - i) + " of " +
                             std::to_string(configs.size()) + " configurations not measured");
        return;
      }
      const std::string prefix = "[" + std::to_string(i + 1) + "/" +
                                 std::to_string(configs.size()) + "] " + configs[i].label();
      run->results.push_back(run_one(configs[i], prefix));
      const ConfigResult& r = run->results.back();
      progress_(
          prefix + ": " +
              (r.outcome == Outcome::kOk ? done_line(r)
                                         : std::string(outcome_name(r.outcome)) + ": " + r.error),
          true);
      add_speedups(&run->results);
      run->complete = i + 1 == configs.size();
      run->seconds = ms_since(t0) / 1000;
      if (after_each) after_each(*run);
    }
    run->interrupted = options_.stop_requested();
    run->complete = !run->interrupted;
  }

 private:
  using ModelSize = std::pair<std::string, int>;

  const Result<engine::DeviceSelection>& device_for(const BenchConfig& c) {
    const std::string key = c.device + "/" + c.precision;
    auto it = devices_.find(key);
    if (it == devices_.end())
      it = devices_.emplace(key, engine::select_device(c.device, c.precision)).first;
    return it->second;
  }

  // One input per width: BenchOptions::heights gives each width one height.
  const image::Image& input_for(int size) {
    auto it = inputs_.find(size);
    if (it == inputs_.end()) {
      const auto h = options_.heights.find(size);
      const int height = h == options_.heights.end() ? size : h->second;
      it = inputs_.emplace(size, photo_ ? fitted_input(*photo_, size, height) : synthetic_photo(size, height, 0)).first;
    }
    return it->second;
  }

  ConfigResult run_one(const BenchConfig& c, const std::string& prefix) {
    const auto& device = device_for(c);
    if (!device.is_ok()) {
      ConfigResult r;
      r.config = c;
      r.outcome = outcome_for(device.status());
      r.error = device.status().message();
      r.error_code = error_code(device.status().code());
      return r;
    }
    MeasureSettings settings;
    settings.max_seconds = options_.max_seconds;
    settings.pipeline_format = options_.pipeline_format;
    settings.streams = options_.streams;
    settings.stop = options_.stop;
    std::vector<image::Image> outputs;
    ConfigResult r = measure_config(
        c, task_, *device, input_for(c.size), settings, &outputs,
        [&](const std::string& what, bool) { progress_(prefix + ": " + what, false); });
    if (r.outcome != Outcome::kOk) return r;
    agree(c, outputs, &r, prefix);
    outputs.clear();
    if (options_.cold_start) cold_start(c, &r, prefix);
    return r;
  }

  // The CPU fp32 batch-1 output of (model, size): the first such row's, else one run
  // made for the purpose.
  const Result<image::Image>& reference(const BenchConfig& c, const std::string& prefix) {
    const ModelSize key{c.model, c.size};
    auto it = references_.find(key);
    if (it != references_.end()) return it->second;
    progress_(prefix + ": computing the CPU fp32 reference", false);
    auto make = [&]() -> Result<image::Image> {
      TB_ASSIGN_OR_RETURN(engine::DeviceSelection cpu, engine::select_device("cpu", "fp32"));
      TB_ASSIGN_OR_RETURN(auto runner, task_.load(c.model, cpu));
      CallReport ignored;
      TB_ASSIGN_OR_RETURN(std::vector<image::Image> out,
                          run_guarded(*runner, {&input_for(c.size)}, &ignored));
      return std::move(out[0]);
    };
    return references_.emplace(key, make()).first->second;
  }

  void agree(const BenchConfig& c, const std::vector<image::Image>& outputs, ConfigResult* r,
             const std::string& prefix) {
    Agreement& a = r->agreement;
    a.floor_db = task_.agreement_floor_db(
        c.model, precision_from_name(c.precision).value_or(Precision::kFloat32));
    const ModelSize key{c.model, c.size};
    if (c.is_cpu() && c.precision == "fp32" && c.batch == 1 && !references_.count(key)) {
      references_.emplace(key, outputs[0]);
      a.is_reference = true;
      a.reference = "this row (CPU fp32, batch 1)";
      return;
    }
    const Result<image::Image>& ref = reference(c, prefix);
    if (!ref.is_ok()) {
      a.reference = "not measured: the CPU fp32 reference could not run: " + ref.status().message();
      return;
    }
    progress_(prefix + ": comparing with the CPU fp32 output", false);
    a.reference = "cpu fp32 batch 1";
    a.psnr_db = std::numeric_limits<double>::infinity();
    size_t worst = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
      auto psnr = psnr_8bit(outputs[i], *ref);
      auto diff = max_abs_diff(outputs[i], *ref);
      if (!psnr.is_ok() || !diff.is_ok()) {
        a.reference = "not measured: " + (psnr.is_ok() ? diff.status() : psnr.status()).message();
        return;
      }
      if (*psnr < a.psnr_db) a.psnr_db = *psnr, worst = i;
      a.max_abs = std::max(a.max_abs, *diff);
    }
    auto ssim = ssim_8bit(outputs[worst], *ref);
    a.ssim = ssim.is_ok() ? *ssim : 0;
    if (!ssim.is_ok()) r->notes.push_back("SSIM not measured: " + ssim.status().message());
    a.items = static_cast<int>(outputs.size());
    a.measured = true;
    a.pass = a.psnr_db >= a.floor_db;
  }

  void cold_start(const BenchConfig& c, ConfigResult* r, const std::string& prefix) {
    const std::string key =
        c.task + "/" + c.model + "/" + c.device + "/" + c.precision + "/" + std::to_string(c.size);
    if (auto it = cold_starts_.find(key); it != cold_starts_.end()) {
      r->cold_start = it->second.first;
      r->cold_start_from = it->second.second;
      return;
    }
    progress_(prefix + ": cold start (a fresh process)", false);
    std::string dir = (std::filesystem::temp_directory_path() / "toonbox-cold-XXXXXX").string();
    if (!mkdtemp(dir.data())) {
      r->notes.push_back("cold start not measured: cannot create a temporary folder");
      return;
    }
    const std::string in = dir + "/in.png", out = dir + "/out.png";
    ColdStart cs;
    if (Status s = image::write_image_file(in, input_for(c.size)); !s.is_ok()) {
      cs.error = "writing its input: " + s.message();
    } else {
      const std::string exe = options_.toonbox_exe.empty() ? this_binary() : options_.toonbox_exe;
      cs = measure_cold_start(exe, task_.cli_args(c.model, c.device, c.precision, in, out), out,
                              kColdStartTimeoutS, options_.stop);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (!cs.ok && options_.stop_requested()) {
      r->notes.push_back("cold start not measured: " + cs.error);
      return;
    }
    if (!cs.ok) {
      // The same work succeeded in this process: a child that cannot do it is a bug.
      r->outcome = Outcome::kFailed;
      r->error = "cold start: " + cs.error;
      r->error_code = error_code(StatusCode::kInternal);
    }
    r->cold_start = cs;
    r->cold_start_from = c.key();
    cold_starts_.emplace(key, std::make_pair(cs, c.key()));
  }

  static std::string done_line(const ConfigResult& r) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "warm %.2f ms (p90 %.2f), %.1f images/s", r.wall_ms.median,
                  r.wall_ms.p90, r.images_per_s);
    std::string s = buf;
    if (r.agreement.measured) {
      std::snprintf(buf, sizeof buf, ", PSNR %.1f dB%s", r.agreement.psnr_db,
                    r.agreement.pass ? "" : " DISAGREES");
      s += buf;
    }
    return s;
  }

  // GPU rows against the CPU fp32 row of the same model and size: at the same batch when
  // measured, else at batch 1 (time per image either way).
  static void add_speedups(std::vector<ConfigResult>* results) {
    auto find_cpu = [&](const BenchConfig& c, int batch) -> const ConfigResult* {
      for (const ConfigResult& r : *results)
        if (r.outcome == Outcome::kOk && r.config.is_cpu() && r.config.precision == "fp32" &&
            r.config.model == c.model && r.config.size == c.size && r.config.batch == batch)
          return &r;
      return nullptr;
    };
    for (ConfigResult& r : *results) {
      if (r.outcome != Outcome::kOk || r.config.is_cpu()) continue;
      const ConfigResult* cpu = find_cpu(r.config, r.config.batch);
      if (!cpu) cpu = find_cpu(r.config, 1);
      if (!cpu || r.wall_ms.median <= 0) continue;
      const double cpu_wall = cpu->wall_ms.median / cpu->config.batch,
                   wall = r.wall_ms.median / r.config.batch;
      r.speedup_vs_cpu = cpu_wall / wall;
      if (r.compute_ms.median > 0 && cpu->compute_ms.median > 0)
        r.speedup_vs_cpu_compute =
            (cpu->compute_ms.median / cpu->config.batch) / (r.compute_ms.median / r.config.batch);
      r.speedup_basis = cpu->config.key();
    }
  }

  const BenchOptions& options_;
  const BenchTask& task_;
  const image::Image* photo_;
  const ProgressFn& progress_;
  std::map<std::string, Result<engine::DeviceSelection>> devices_;
  std::map<int, image::Image> inputs_;
  std::map<ModelSize, Result<image::Image>> references_;
  std::map<std::string, std::pair<ColdStart, std::string>> cold_starts_;
};

}  // namespace

BenchRun run_bench(const BenchOptions& options, std::vector<std::string> notes,
                   const BenchTask& task, const image::Image* photo, const ProgressFn& progress,
                   const PartialFn& after_each) {
  BenchRun run;
  run.started = utc_now();
  const auto t0 = std::chrono::steady_clock::now();
  run.machine = describe_machine();
  run.options = options;
  run.input = photo ? options.image : "generated test image (bench/bench_input.h)";
  run.notes = std::move(notes);
  Bench bench(options, task, photo, progress);
  bench.run_all(&run, after_each);
  run.seconds = ms_since(t0) / 1000;
  return run;
}

int bench_exit_code(const BenchRun& run) {
  bool any_ran = false;
  for (const ConfigResult& r : run.results) {
    if (r.outcome == Outcome::kFailed || r.disagrees()) return kBenchExitFailure;
    any_ran = any_ran || r.outcome == Outcome::kOk;
  }
  return any_ran ? 0 : kBenchExitFailure;
}

}  // namespace toonbox::bench
