#include "folder/folder_runner.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/device_rotation.h"
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
  image::Image input;   // decoded, until the device call
  image::Image output;  // stylized, until written
  ImageResult result;
  uint64_t failed_on = 0;  // bit w: device worker w failed it (several devices only)
  Status last_error;       // the last of those failures
};
using WorkPtr = std::unique_ptr<Work>;

class Run {
 public:
  Run(const std::vector<PlannedImage>& todo, const std::vector<DeviceWorker>& devices, const RunnerOptions& options,
      const std::function<void(const ImageResult&)>& on_result)
      : todo_(todo),
        devices_(devices),
        options_(options),
        on_result_(on_result),
        batch_size_(std::max(1, options.batch_size)),
        workers_(static_cast<int>(devices.size())),
        // Enough decoded images to fill a batch per device while the previous one runs,
        // and no more: each holds a full-size RGB image.
        decoded_(static_cast<size_t>(batch_size_ * 2 * workers_ + std::max(1, options.decode_threads))),
        results_(static_cast<size_t>(batch_size_ * 2 * workers_ + std::max(1, options.encode_threads))),
        rotation_(workers_),
        live_loops_(workers_) {
    for (const DeviceWorker& d : devices_) stats_.push_back(DeviceStats{d.id});
    idle_.assign(devices_.size(), false);
  }

  RunSummary run() {
    const auto t0 = Clock::now();
    summary_.total = static_cast<int>(todo_.size());
    const int decoders = std::max(1, options_.decode_threads);
    const int encoders = std::max(1, options_.encode_threads);
    live_decoders_ = decoders;
    std::vector<std::thread> threads;
    for (int i = 0; i < decoders; ++i) threads.emplace_back([this] { decode_loop(); });
    for (int i = 0; i < encoders; ++i) threads.emplace_back([this] { encode_loop(); });
    for (int w = 1; w < workers_; ++w) threads.emplace_back([this, w] { device_loop(w); });
    device_loop(0);  // on this thread: the (first) device may want the thread that created it
    for (auto& t : threads) t.join();
    summary_.wall_ms = ms_between(t0, Clock::now());
    for (const DeviceStats& d : stats_) {
      summary_.device_busy_ms += d.busy_ms;
      for (const auto& [n, calls] : d.device_calls) summary_.device_calls[n] += calls;
    }
    summary_.devices = stats_;
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
        auto image = image::read_image_file(todo_[index].input, options_.decode);
        if (!image.is_ok()) return image::as_unreadable_image(image.status());  // the API's words too
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
  void device_loop(int w) {
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
      run_group(w, std::move(group));
    };
    auto last_arrival = Clock::now();
    while (true) {
      if (stop_requested()) {
        decoded_.close();  // unblocks decoders; what they hold is dropped, not run
        break;
      }
      if (is_retired(w)) {
        hand_back(w, &groups);
        break;
      }
      std::optional<WorkPtr> work = take_retry(w);
      if (!work) work = decoded_.pop_until(Clock::now() + kStopPoll);
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
          run_group(w, std::move(full));
        } else if (pending >= max_pending) {
          run_largest();
        }
        continue;
      }
      if (decoded_.closed_and_empty()) {
        // One group at a time, so a device that fails meanwhile hands the rest back.
        if (!groups.empty()) {
          run_largest();
          continue;
        }
        // Another device may still hand back images for this one to retry.
        if (idle_until_done(w)) break;
        continue;
      }
      // Waited max_wait_ms for a partner in vain: go with what there is.
      if (!groups.empty() && Clock::now() - last_arrival >= std::chrono::milliseconds(options_.max_wait_ms)) run_largest();
    }
    if (--live_loops_ == 0) results_.close();
  }

  void run_group(int worker, std::vector<WorkPtr> group) {
    if (is_retired(worker)) {  // retired while running an earlier part of a failed batch
      requeue(worker, std::move(group), nullptr);
      return;
    }
    const auto t0 = Clock::now();
    std::vector<const image::Image*> inputs;
    std::vector<const PlannedImage*> planned;
    for (const auto& w : group) {
      inputs.push_back(&w->input);
      planned.push_back(w->result.image);
    }
    Result<std::vector<image::Image>> outputs = std::vector<image::Image>{};
    std::vector<ImageNote> notes;
    Status s = guarded("running the model", [&]() -> Status {
      outputs = devices_[worker].planned_fn ? devices_[worker].planned_fn(inputs, planned, &notes)
                                              : devices_[worker].fn(inputs, &notes);
      if (outputs.is_ok() && outputs->size() != inputs.size())
        return internal_error("the device stage returned " + std::to_string(outputs->size()) + " images for " +
                              std::to_string(inputs.size()));
      return outputs.status();
    });
    const double ms = ms_between(t0, Clock::now());
    DeviceStats& stats = stats_[worker];  // only this worker's thread writes it
    stats.busy_ms += ms;
    ++stats.device_calls[static_cast<int>(group.size())];
    if (!s.is_ok() && workers_ > 1 && engine::DeviceHealth::is_device_lost(s)) {
      retire(worker, s.message());
      requeue(worker, std::move(group), &s);
      return;
    }
    if (!s.is_ok() && group.size() > 1) {
      // One bad image must not fail its neighbours: run them one by one.
      for (auto& w : group) {
        std::vector<WorkPtr> one;
        one.push_back(std::move(w));
        run_group(worker, std::move(one));
      }
      return;
    }
    // Maybe the device, maybe the image: another device tries it (several devices only).
    if (const engine::DeviceRotation::Verdict v = rotation_.judge(worker, s); v.retry_elsewhere) {
      if (!v.retire.empty()) retire(worker, v.retire);
      requeue(worker, std::move(group), &s);
      return;
    }
    if (s.is_ok()) stats.images += static_cast<int>(group.size());
    for (size_t i = 0; i < group.size(); ++i) {
      Work& w = *group[i];
      w.result.batch = static_cast<int>(group.size());
      w.result.device = devices_[worker].id;
      w.result.attempts = std::popcount(w.failed_on) + 1;
      w.result.device_ms = ms;
      w.input = image::Image();  // free the pixels now rather than after the write
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

  // --- several devices: retiring a worker, handing its images to the others ---------

  static uint64_t bit(int worker) { return engine::DeviceRotation::bit(worker); }

  bool is_retired(int worker) const { return rotation_.retired(worker); }

  // Whether a live worker has not failed this image yet.
  bool someone_can_try(const Work& w) const { return rotation_.someone_can_try(w.failed_on); }

  void retire(int worker, const std::string& why) {
    int left = 0;
    {
      // Under mutex_, so a worker waiting for retries sees the change with the notify.
      std::lock_guard lock(mutex_);
      if (!rotation_.retire(worker, why, &left)) return;
      stats_[worker].retired = why;
    }
    retry_cv_.notify_all();
    if (options_.on_device_retired) options_.on_device_retired(stats_[worker], left);
  }

  // Images a worker gives up: `failed` (its error) when it ran them and failed, null when
  // it only held them. Each goes to the retry list if a live worker has not failed it,
  // else it fails with its last error.
  void requeue(int worker, std::vector<WorkPtr> group, const Status* failed) {
    std::vector<WorkPtr> dead;
    {
      std::lock_guard lock(mutex_);
      for (WorkPtr& w : group) {
        if (failed) {
          w->failed_on |= bit(worker);
          w->last_error = *failed;
          ++stats_[worker].retried_elsewhere;
        }
        if (someone_can_try(*w)) {
          retry_.push_back(std::move(w));
        } else {
          dead.push_back(std::move(w));
        }
      }
    }
    retry_cv_.notify_all();
    for (WorkPtr& w : dead) fail_undeliverable(*w);
  }

  void fail_undeliverable(Work& w) {
    w.input = image::Image();
    w.result.attempts = std::popcount(w.failed_on);
    Status why = w.last_error.is_ok() ? unavailable("no device left to run it: every device was taken out of rotation")
                                      : w.last_error;
    if (w.result.attempts > 1) why = Status(why.code(), why.message() + " (failed on " +
                                                            std::to_string(w.result.attempts) + " devices)");
    finish(w, why.with_context(w.result.image->input));
  }

  // An image handed back by another worker that this one has not failed; images nobody
  // live can take any more fail here.
  std::optional<WorkPtr> take_retry(int worker) {
    std::optional<WorkPtr> taken;
    std::vector<WorkPtr> dead;
    {
      std::lock_guard lock(mutex_);
      for (auto it = retry_.begin(); it != retry_.end();) {
        if (!taken && !((*it)->failed_on & bit(worker))) {
          taken = std::move(*it);
          idle_[worker] = false;
        } else if (!someone_can_try(**it)) {
          dead.push_back(std::move(*it));
        } else {
          ++it;
          continue;
        }
        it = retry_.erase(it);
      }
    }
    for (WorkPtr& w : dead) fail_undeliverable(*w);
    return taken;
  }

  // A retired worker's pending images go to the others; the last one to go fails what is
  // left (nobody else will take it).
  void hand_back(int worker, std::map<std::pair<int, int>, std::vector<WorkPtr>>* groups) {
    for (auto& [size, group] : *groups) requeue(worker, std::move(group), nullptr);
    groups->clear();
    if (rotation_.live() > 0) return;
    while (std::optional<WorkPtr> w = take_retry(worker)) fail_undeliverable(**w);
    while (std::optional<WorkPtr> w = decoded_.pop()) fail_undeliverable(**w);
  }

  // Decoding is over and this worker holds nothing: true once every live worker is in the
  // same state and nothing waits for a retry (the run is over); else waits a little.
  bool idle_until_done(int worker) {
    auto done = [&] {
      if (!retry_.empty()) return false;
      for (int v = 0; v < workers_; ++v)
        if (!rotation_.retired(v) && !idle_[v]) return false;
      return true;
    };
    std::unique_lock lock(mutex_);
    idle_[worker] = true;
    if (done()) {
      retry_cv_.notify_all();
      return true;
    }
    retry_cv_.wait_for(lock, kStopPoll);
    return done();
  }

  void encode_loop() {
    double busy = 0;
    while (std::optional<WorkPtr> work = results_.pop()) {
      Work& w = **work;
      const auto t0 = Clock::now();
      // An empty result is the device stage saying there is nothing to write (restore
      // --faces-only on a photo without faces): the image is done, no file is made.
      Status s = w.output.width == 0 ? Status::ok() : guarded("writing", [&]() -> Status {
        const std::string& path = w.result.image->output;
        std::error_code ec;
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        if (ec) return invalid_argument(parent.string() + ": cannot create the folder: " + ec.message());
        auto bytes = image::encode_image(w.output, options_.encode);
        if (!bytes.is_ok()) return bytes.status().with_context(path);
        return image::atomic_write_file(path, bytes.value());
      });
      w.output = image::Image();
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
  const std::vector<DeviceWorker>& devices_;
  const RunnerOptions& options_;
  const std::function<void(const ImageResult&)>& on_result_;
  const int batch_size_;
  const int workers_;
  BoundedQueue<WorkPtr> decoded_;
  BoundedQueue<WorkPtr> results_;
  std::atomic<size_t> next_{0};
  std::atomic<int> live_decoders_{0};
  std::mutex report_mutex_;
  RunSummary summary_;
  // Several devices. Each worker's stats are its own thread's; which are in rotation is
  // rotation_'s (engine/device_rotation.h, the rule the server shares); the rest is under
  // mutex_.
  std::vector<DeviceStats> stats_;
  engine::DeviceRotation rotation_;
  std::mutex mutex_;
  std::condition_variable retry_cv_;
  std::deque<WorkPtr> retry_;
  std::vector<bool> idle_;
  std::atomic<int> live_loops_;  // device loops still running; the last closes results_
};

}  // namespace

void choose_stage_threads(bool device_is_gpu, int cores, RunnerOptions* options) {
  // On the CPU the model already uses every core; one thread each for decoding and
  // encoding overlaps them with it without stealing much. A GPU leaves the cores free,
  // and then the codecs are the limit. To JPEG a quarter of the cores decode (with the
  // pixels converted on the GPU, 1024² JPEG -> JPEG ran 229 img/s with two decoders 84%
  // busy) and most of the rest encode. A PNG or WebP costs several times its JPEG's
  // decoding (1024² -> PNG at 4 decoders / 8 encoders: 227 img/s, encoders 97% busy,
  // decoders 36%), so there a fifth decode and every other core but one (the
  // device worker's) encodes.
  cores = std::max(1, cores);
  if (!device_is_gpu) {
    options->decode_threads = options->encode_threads = 1;
    return;
  }
  const bool slow_encoder = options->encode.format == image::ImageFormat::kPng ||
                            options->encode.format == image::ImageFormat::kWebp;
  options->decode_threads = std::clamp(slow_encoder ? cores / 5 : cores / 4, 1, 8);
  options->encode_threads = slow_encoder ? std::clamp(cores - 1 - options->decode_threads, 1, 24)
                                         : std::clamp(cores * 3 / 4 - options->decode_threads, 1, 16);
}

RunSummary run_folder(const std::vector<PlannedImage>& todo, const DeviceFn& device, const RunnerOptions& options,
                      const std::function<void(const ImageResult&)>& on_result) {
  return run_folder(todo, std::vector<DeviceWorker>{{"", device}}, options, on_result);
}

RunSummary run_folder(const std::vector<PlannedImage>& todo, const std::vector<DeviceWorker>& devices,
                      const RunnerOptions& options, const std::function<void(const ImageResult&)>& on_result) {
  if (devices.empty() || devices.size() > 64) {
    // The callers check the device list; this is the backstop, and it says so per image.
    RunSummary s;
    s.total = s.failed = static_cast<int>(todo.size());
    for (const PlannedImage& image : todo) {
      ImageResult r;
      r.image = &image;
      r.status = invalid_argument(image.input + ": a folder run takes 1 to 64 devices, got " +
                                  std::to_string(devices.size()));
      s.failures.push_back(r);
      if (on_result) on_result(r);
    }
    return s;
  }
  return Run(todo, devices, options, on_result).run();
}

RunSummary run_folder_planned(const std::vector<PlannedImage>& todo, const PlannedDeviceFn& device,
                              const RunnerOptions& options,
                              const std::function<void(const ImageResult&)>& on_result) {
  DeviceWorker worker;
  worker.planned_fn = device;
  return run_folder(todo, std::vector<DeviceWorker>{worker}, options, on_result);
}


}  // namespace toonbox::folder
