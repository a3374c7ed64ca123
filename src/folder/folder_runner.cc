#include "folder/folder_runner.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "folder/bounded_queue.h"
#include "core/timing.h"

namespace toonbox::folder {
namespace {

using Clock = std::chrono::steady_clock;

// How often blocked stages look at the stop flag.
constexpr auto kStopPoll = std::chrono::milliseconds(25);

struct Work {
  size_t index = 0;
  Clock::time_point started;
  Image input;           // decoded, until the device call
  Image output;          // stylized, until written
  ImageResult result;
};
using WorkPtr = std::unique_ptr<Work>;

class Run {
 public:
  Run(const std::vector<PlannedImage>& todo, const PlannedDeviceFn& device, const RunnerOptions& options,
      const std::function<void(const ImageResult&)>& on_result)
      : todo_(todo),
        device_(device),
        options_(options),
        on_result_(on_result),
        batch_size_(std::max(1, options.batch_size)),
        // Enough decoded images to fill a batch while the previous one runs, and no more:
        // each holds a full-size RGB image.
        decoded_(static_cast<size_t>(batch_size_ * 2 + std::max(1, options.decode_threads))),
        results_(static_cast<size_t>(batch_size_ * 2 + std::max(1, options.encode_threads))) {}

  RunSummary run() {
    const auto t0 = Clock::now();
    summary_.total = static_cast<int>(todo_.size());
    const int decoders = std::max(1, options_.decode_threads);
    const int encoders = std::max(1, options_.encode_threads);
    live_decoders_ = decoders;
    std::vector<std::thread> threads;
    for (int i = 0; i < decoders; ++i) threads.emplace_back([this] { decode_loop(); });
    for (int i = 0; i < encoders; ++i) threads.emplace_back([this] { encode_loop(); });
    device_loop();  // on this thread: the device may want the thread that created it
    for (auto& t : threads) t.join();
    summary_.wall_ms = ms_between(t0, Clock::now());
    summary_.stopped = stop_requested();
    summary_.not_run = summary_.total - summary_.ok - summary_.failed;
    return summary_;
  }

 private:
  bool stop_requested() const { return options_.stop && options_.stop->load(); }

  void finish(Work& work, Status status) {
    work.result.status = std::move(status);
    work.result.total_ms = ms_between(work.started, Clock::now());
    std::lock_guard lock(report_mutex_);
    if (work.result.status.is_ok()) {
      ++summary_.ok;
    } else {
      ++summary_.failed;
      summary_.failures.push_back(work.result);
    }
    if (on_result_) on_result_(work.result);
  }

  template <typename F>
  Status guarded(const char* stage, F&& f) {
    try {
      return f();
    } catch (const std::bad_alloc&) {
      return out_of_memory(std::string("out of memory while ") + stage);
    } catch (const std::exception& e) {
      return internal_error(std::string(stage) + ": " + e.what());
    }
  }

  void decode_loop() {
    double busy = 0;
    while (!stop_requested()) {
      const size_t index = next_.fetch_add(1);
      if (index >= todo_.size()) break;
      auto work = std::make_unique<Work>();
      work->index = index;
      work->started = Clock::now();
      work->result.image = &todo_[index];
      Status s = guarded("decoding", [&]() -> Status {
        auto image = read_image_file(todo_[index].input, options_.decode);
        if (!image.is_ok()) return image.status();
        work->input = std::move(image).value();
        return Status::ok();
      });
      work->result.decode_ms = ms_between(work->started, Clock::now());
      busy += work->result.decode_ms;
      if (!s.is_ok()) {
        finish(*work, s);
        continue;
      }
      if (!decoded_.push(std::move(work))) break;  // closed: the run is stopping
    }
    add_busy(&summary_.decode_busy_ms, busy);
    if (--live_decoders_ == 0) decoded_.close();
  }

  // Groups by exact size. A group runs when it is full; when nothing new arrived for
  // max_wait_ms (the device should not idle waiting for a partner the decoders are slow
  // to produce); when too many images are pending (memory); and at the end.
  void device_loop() {
    std::map<std::pair<int, int>, std::vector<WorkPtr>> groups;
    size_t pending = 0;
    const size_t max_pending = static_cast<size_t>(batch_size_ * 2);
    auto run_largest = [&] {
      auto largest = groups.begin();
      for (auto it = groups.begin(); it != groups.end(); ++it)
        if (it->second.size() > largest->second.size()) largest = it;
      std::vector<WorkPtr> group = std::move(largest->second);
      groups.erase(largest);
      pending -= group.size();
      run_group(std::move(group));
    };
    auto last_arrival = Clock::now();
    while (true) {
      if (stop_requested()) {
        decoded_.close();  // unblocks decoders; what they hold is dropped, not run
        break;
      }
      std::optional<WorkPtr> work = decoded_.pop_until(Clock::now() + kStopPoll);
      if (work) {
        last_arrival = Clock::now();
        auto key = std::make_pair((*work)->input.width, (*work)->input.height);
        auto& group = groups[key];
        group.push_back(std::move(*work));
        ++pending;
        if (static_cast<int>(group.size()) >= batch_size_) {
          std::vector<WorkPtr> full = std::move(group);
          groups.erase(key);
          pending -= full.size();
          run_group(std::move(full));
        } else if (pending >= max_pending) {
          run_largest();
        }
        continue;
      }
      if (decoded_.closed_and_empty()) {
        while (!groups.empty() && !stop_requested()) run_largest();
        break;
      }
      // Waited max_wait_ms for a partner in vain: go with what there is.
      if (!groups.empty() && Clock::now() - last_arrival >= std::chrono::milliseconds(options_.max_wait_ms)) run_largest();
    }
    results_.close();
  }

  void run_group(std::vector<WorkPtr> group) {
    const auto t0 = Clock::now();
    std::vector<const Image*> inputs;
    std::vector<const PlannedImage*> planned;
    for (const auto& w : group) {
      inputs.push_back(&w->input);
      planned.push_back(w->result.image);
    }
    Result<std::vector<Image>> outputs = std::vector<Image>{};
    std::vector<ImageNote> notes;
    Status s = guarded("running the model", [&]() -> Status {
      outputs = device_(inputs, planned, &notes);
      if (outputs.is_ok() && outputs->size() != inputs.size())
        return internal_error("the device stage returned " + std::to_string(outputs->size()) + " images for " +
                              std::to_string(inputs.size()));
      return outputs.status();
    });
    const double ms = ms_between(t0, Clock::now());
    summary_.device_busy_ms += ms;  // only this thread writes it
    ++summary_.device_calls[static_cast<int>(group.size())];
    if (!s.is_ok() && group.size() > 1) {
      // One bad image must not fail its neighbours: run them one by one.
      for (auto& w : group) {
        std::vector<WorkPtr> one;
        one.push_back(std::move(w));
        run_group(std::move(one));
      }
      return;
    }
    for (size_t i = 0; i < group.size(); ++i) {
      Work& w = *group[i];
      w.result.batch = static_cast<int>(group.size());
      w.result.device_ms = ms;
      w.input = Image();  // free the pixels now rather than after the write
      if (!s.is_ok()) {
        finish(w, s.with_context(w.result.image->input));
        continue;
      }
      w.output = std::move(outputs.value()[i]);
      if (i < notes.size()) w.result.note = std::move(notes[i]);
      w.result.width = w.output.width;
      w.result.height = w.output.height;
      // Results are written even when stopping: the work is done, the write is cheap.
      results_.push(std::move(group[i]));
    }
  }

  void encode_loop() {
    double busy = 0;
    while (std::optional<WorkPtr> work = results_.pop()) {
      Work& w = **work;
      const auto t0 = Clock::now();
      Status s = guarded("writing", [&]() -> Status {
        const std::string& path = w.result.image->output;
        std::error_code ec;
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        if (ec) return invalid_argument(parent.string() + ": cannot create the folder: " + ec.message());
        auto bytes = encode_image(w.output, options_.encode);
        if (!bytes.is_ok()) return bytes.status().with_context(path);
        return atomic_write_file(path, bytes.value());
      });
      w.output = Image();
      w.result.encode_ms = ms_between(t0, Clock::now());
      busy += w.result.encode_ms;
      finish(w, s);
    }
    add_busy(&summary_.encode_busy_ms, busy);
  }

  void add_busy(double* total, double ms) {
    std::lock_guard lock(report_mutex_);
    *total += ms;
  }

  const std::vector<PlannedImage>& todo_;
  const PlannedDeviceFn& device_;
  const RunnerOptions& options_;
  const std::function<void(const ImageResult&)>& on_result_;
  const int batch_size_;
  BoundedQueue<WorkPtr> decoded_;
  BoundedQueue<WorkPtr> results_;
  std::atomic<size_t> next_{0};
  std::atomic<int> live_decoders_{0};
  std::mutex report_mutex_;
  RunSummary summary_;
};

}  // namespace

void choose_stage_threads(bool device_is_gpu, int cores, RunnerOptions* options) {
  // On the CPU the model already uses every core; one thread each for decoding and
  // encoding overlaps them with it without stealing much. A GPU leaves the cores free,
  // and then encoding is the bottleneck: a PNG costs ~20x its decoding (H200 host, 200
  // photos: 35 s of encoding against 1.8 s of decoding and 6 s of device work), so most
  // cores encode, leaving a quarter for decoding and the device worker's pre/post-processing.
  cores = std::max(1, cores);
  options->decode_threads = device_is_gpu ? std::clamp(cores / 8, 1, 4) : 1;
  options->encode_threads =
      device_is_gpu ? std::clamp(cores * 3 / 4 - options->decode_threads, 1, 16) : 1;
}

RunSummary run_folder_planned(const std::vector<PlannedImage>& todo, const PlannedDeviceFn& device,
                              const RunnerOptions& options,
                              const std::function<void(const ImageResult&)>& on_result) {
  return Run(todo, device, options, on_result).run();
}

RunSummary run_folder(const std::vector<PlannedImage>& todo, const DeviceFn& device, const RunnerOptions& options,
                      const std::function<void(const ImageResult&)>& on_result) {
  const PlannedDeviceFn planned = [&device](const std::vector<const Image*>& images,
                                            const std::vector<const PlannedImage*>&,
                                            std::vector<ImageNote>* notes) { return device(images, notes); };
  return run_folder_planned(todo, planned, options, on_result);
}

}  // namespace toonbox::folder
