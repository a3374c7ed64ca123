#include "bench/bench_options.h"

#include <algorithm>
#include <set>

#include "core/dtype.h"
#include "engine/device_list.h"

namespace toonbox::bench {

namespace {

constexpr int kDefaultGpuRuns = 20;
constexpr int kDefaultCpuRuns = 5;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    items.push_back(
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

bool has_gpu_device(const std::vector<std::string>& devices) {
  return std::any_of(devices.begin(), devices.end(),
                     [](const std::string& d) { return d != "cpu"; });
}

std::string join_ints(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

int default_pipeline_images(bool cpu, int batch) {
  // Enough batches that the stages overlap in steady state; the CPU is slow enough that
  // a few images already show whether decoding or encoding holds the model up.
  return cpu ? std::max(4, 2 * batch) : std::max(64, 4 * batch);
}

}  // namespace

std::string BenchConfig::size_text() const {
  return std::to_string(size) + "x" + std::to_string(input_height());
}

std::string BenchConfig::label() const {
  return task + " " + model + " " + device + " " + precision + " " + size_text() + " batch " +
         std::to_string(batch);
}

// Square sizes keep their old key ("/512/") so saved runs still compare.
std::string BenchConfig::key() const {
  return task + "/" + model + "/" + device + "/" + precision + "/" +
         (height > 0 && height != size ? size_text() : std::to_string(size)) + "/b" + std::to_string(batch);
}

Status parse_size_list(const std::string& text, int lo, int hi, std::vector<int>* sizes,
                       std::map<int, int>* heights) {
  sizes->clear();
  heights->clear();
  std::string widths;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t x = item.find('x');
    std::string w = item;
    if (x != std::string::npos) {
      w = item.substr(0, x);
      TB_ASSIGN_OR_RETURN(std::vector<int> h, parse_int_list("--sizes", item.substr(x + 1), lo, hi));
      TB_ASSIGN_OR_RETURN(std::vector<int> wv, parse_int_list("--sizes", w, lo, hi));
      if (h.size() != 1 || wv.size() != 1) return invalid_argument("--sizes: '" + item + "' is not WxH");
      if (heights->count(wv[0]) && (*heights)[wv[0]] != h[0])
        return invalid_argument("--sizes: one height per width ('" + item + "')");
      if (h[0] != wv[0]) (*heights)[wv[0]] = h[0];
    }
    widths += (widths.empty() ? "" : ",") + w;
    start = comma + 1;
  }
  TB_ASSIGN_OR_RETURN(*sizes, parse_int_list("--sizes", widths, lo, hi));
  return Status::ok();
}

Result<std::vector<int>> parse_int_list(const std::string& flag, const std::string& text, int lo,
                                        int hi) {
  std::vector<int> out;
  for (const std::string& item : split_commas(text)) {
    long long v = 0;
    size_t used = 0;
    try {
      v = std::stoll(item, &used);
    } catch (...) {
      used = 0;
    }
    if (item.empty() || used != item.size() || v < lo || v > hi)
      return invalid_argument(flag + ": '" + item + "' is not an integer in " + std::to_string(lo) +
                              ".." + std::to_string(hi) + " (a comma-separated list, e.g. " + flag +
                              " " + std::to_string(lo) + "," +
                              std::to_string(std::min(hi, lo * 2)) + ")");
    if (std::find(out.begin(), out.end(), v) != out.end())
      return invalid_argument(flag + ": " + item + " is listed twice");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

Result<std::vector<std::string>> parse_name_list(const std::string& flag, const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& item : split_commas(text)) {
    if (item.empty()) return invalid_argument(flag + ": empty item in '" + text + "'");
    if (std::find(out.begin(), out.end(), item) != out.end())
      return invalid_argument(flag + ": '" + item + "' is listed twice");
    out.push_back(item);
  }
  return out;
}

Result<std::string> normalize_device(const std::string& device) {
  if (device == "cpu") return device;
  if (device == "cuda") return std::string("cuda:0");
  if (device.rfind("cuda:", 0) == 0 && device.size() > 5 && device.size() <= 9 &&
      std::all_of(device.begin() + 5, device.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return "cuda:" + std::to_string(std::stoi(device.substr(5)));
  return invalid_argument("--device: '" + device + "' is not cpu, cuda or cuda:N");
}

Status apply_defaults(BenchOptions* o, bool gpu_usable, const std::vector<std::string>& task_models,
                      std::vector<std::string>* notes) {
  if (o->devices.empty()) {
    o->devices =
        gpu_usable ? std::vector<std::string>{"cuda:0", "cpu"} : std::vector<std::string>{"cpu"};
    notes->push_back(
        gpu_usable ? "devices: cuda:0 and cpu (default: a GPU is usable, the CPU for the speed-up)"
                   : "devices: cpu (default: no usable GPU here; `toonbox doctor` says why)");
  } else {
    std::vector<std::string> given;
    for (const std::string& d : o->devices) {
      if (d != "cuda:all") {
        given.push_back(d);
        continue;
      }
      // Every visible GPU, each its own rows (per-GPU throughput); none is an error that
      // names the failing layer, as for folders and the server.
      TB_ASSIGN_OR_RETURN(std::vector<std::string> gpus, engine::expand_device_list(d));
      given.insert(given.end(), gpus.begin(), gpus.end());
    }
    std::vector<std::string> normalized;
    for (const std::string& d : given) {
      TB_ASSIGN_OR_RETURN(std::string n, normalize_device(d));
      if (std::find(normalized.begin(), normalized.end(), n) != normalized.end())
        return invalid_argument("--device: " + n + " is listed twice");
      normalized.push_back(n);
    }
    o->devices = normalized;
  }
  for (const std::string& p : o->precisions)
    if (!precision_from_name(p))
      return invalid_argument("--precision: '" + p + "' is not fp32, tf32 or fp16");
  const bool gpu = has_gpu_device(o->devices);
  if (o->precisions.empty()) {
    o->precisions =
        gpu ? std::vector<std::string>{"fp32", "fp16"} : std::vector<std::string>{"fp32"};
    notes->push_back(gpu ? "precisions: fp32,fp16 (default when a GPU is measured)"
                         : "precisions: fp32 (default: the CPU backend is fp32 only)");
  }
  if (o->sizes.empty()) {
    o->sizes = gpu ? std::vector<int>{512, 1024} : std::vector<int>{512};
    notes->push_back(
        "sizes: " + join_ints(o->sizes) +
        (gpu ? " (default when a GPU is measured; --sizes 512,1024,2048 for the full table)"
             : " (default on the CPU: one size keeps the table within a few minutes)"));
  }
  if (o->batches.empty()) {
    o->batches = gpu ? std::vector<int>{1, 8} : std::vector<int>{1};
    notes->push_back("batches: " + join_ints(o->batches) +
                     (gpu ? " (default when a GPU is measured)" : " (default on the CPU)"));
  }
  if (o->cpu_batches.empty()) {
    if (gpu && std::find(o->devices.begin(), o->devices.end(), "cpu") != o->devices.end()) {
      o->cpu_batches = {1};
      notes->push_back(
          "CPU rows at batch 1 (default when a GPU is measured too: the speed-up compares time per "
          "image; --cpu-batch batches the CPU as well)");
    } else {
      o->cpu_batches = o->batches;
    }
  }
  const bool runs_given = o->runs > 0;
  if (o->runs <= 0) o->runs = kDefaultGpuRuns;
  if (o->cpu_runs <= 0) o->cpu_runs = runs_given ? o->runs : kDefaultCpuRuns;
  if (!runs_given && gpu)
    notes->push_back("warm runs: " + std::to_string(o->runs) + " per GPU configuration (default)");
  if (!runs_given)
    notes->push_back("warm runs: " + std::to_string(o->cpu_runs) +
                     " per CPU configuration (default)");
  if (o->models.empty()) {
    if (task_models.empty())
      return not_found("no model to benchmark for task '" + o->task + "': give --model");
    o->models = task_models;
    std::string list;
    for (const std::string& m : task_models) list += (list.empty() ? "" : ",") + m;
    notes->push_back("models: " + list + " (default: what is installed for '" + o->task + "')");
  }
  return Status::ok();
}

std::vector<BenchConfig> expand_matrix(const BenchOptions& o, std::vector<std::string>* notes) {
  // CPU first within each (model, size): its fp32 batch-1 output is every other row's
  // agreement reference, and its time the speed-up's denominator.
  std::vector<std::string> devices = o.devices;
  std::stable_partition(devices.begin(), devices.end(),
                        [](const std::string& d) { return d == "cpu"; });
  std::vector<std::string> precisions = o.precisions;
  std::stable_partition(precisions.begin(), precisions.end(),
                        [](const std::string& p) { return p == "fp32"; });
  // fp16 and tf32 are GPU precisions: the CPU rows skip them (said once, below), unless
  // one is all that was asked, which then fails on the CPU with its reason.
  const bool cpu_fp16_alone = precisions.size() == 1 && precisions[0] != "fp32";
  bool dropped_cpu_fp16 = false;
  std::vector<BenchConfig> out;
  for (const std::string& model : o.models) {
    for (int size : o.sizes) {
      for (const std::string& device : devices) {
        const bool cpu = device == "cpu";
        for (const std::string& precision : precisions) {
          if (cpu && precision != "fp32" && !cpu_fp16_alone) {
            dropped_cpu_fp16 = true;
            continue;
          }
          for (int batch : cpu ? o.cpu_batches : o.batches) {
            BenchConfig c;
            c.task = o.task;
            c.model = model;
            c.device = device;
            c.precision = precision;
            c.size = size;
            if (auto h = o.heights.find(size); h != o.heights.end()) c.height = h->second;
            c.batch = batch;
            c.runs = cpu ? o.cpu_runs : o.runs;
            c.pipeline_images = !o.pipeline             ? 0
                                : o.pipeline_images > 0 ? o.pipeline_images
                                                        : default_pipeline_images(cpu, batch);
            out.push_back(c);
          }
        }
      }
    }
  }
  if (dropped_cpu_fp16)
    notes->push_back("cpu fp16/tf32 is not measured: the CPU backend computes in fp32 only");
  return out;
}

}  // namespace toonbox::bench
