// One bounded queue and one worker thread per device (`serve --device cuda:0,1`, `cpu,cpu`:
// several workers, each with its own device's models and compiled plans, all taking from
// the one queue, so a slow or busy device simply takes less). A worker takes the smallest image
// (the oldest once it has waited 2 s), gathers queued images with the same model, size and
// pipeline options (up to max_batch, waiting up to max_wait for more), and runs them as one
// device call on an [N,H,W,3] tensor through
// ModelRunner::stylize_batch: one upload, one pass of every kernel over N images, one
// download. A model that cannot take N > 1 (decided at its first batched compile) runs
// the group one image at a time inside stylize_batch, which reports batch 1.
//
// Work is dropped, never run, when its client has gone (the HTTP handler cancels it), its
// deadline has passed, or its job was cancelled; this is checked for every item right
// before the batch call, so a client that left while the batch was gathering costs no
// device time. If the batch call runs out of memory, its images are retried one at a
// time (each may still be cut into tiles), so one large group cannot fail every request
// in it; an image that fails alone gets the 503.
//
// With several devices, a device call that says the device is at fault
// (engine/device_rotation.h: lost at once; internal errors three images in a row; out of
// memory is retried elsewhere but never retires a device here) takes that worker out of
// rotation, and its items go back to the front of the queue for a worker that has not
// failed them. An item every device in rotation has failed fails with its last error;
// with no device left, new work is refused (Push::kNoDevice) and the server is not ready.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/device_faults.h"
#include "engine/device_rotation.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/upscale/upscaler.h"
#include "server/metrics.h"

namespace toonbox::server {

using Clock = std::chrono::steady_clock;

struct SchedulerOptions {
  int queue_capacity = 16;  // images waiting, not counting the ones running
  int max_batch = 8;
  int max_wait_ms = 2;      // how long a batch waits for more same-shape images
  // Images larger than this a side run in tiles of it, so a large image's working memory
  // is bounded by the tile, not the image (0: the pipeline decides from free memory).
  int tile_size = 1024;
  // Several devices: called from the failing worker's thread when a device is taken out
  // of rotation, with why and the number of devices left (e.g. to log it at once).
  std::function<void(const std::string& device, const std::string& why, int left)> on_device_retired;
};

struct WorkOutcome;

// What the pipeline does with a request besides the model: its options (mode, processing
// resolution, output size, strength) and the face detector (shared, loaded once per
// precision). kWhole needs no detector; kAuto without one runs whole and says why.
struct PipelineStage {
  pipeline::CartoonOptions options;
  std::shared_ptr<detect::FaceDetector> detector;
  std::string detector_missing;
  // Set for an upscale request (POST /api/v1/upscale): the item runs this upscaler with
  // `upscale`, not the cartoon pipeline, and never batches with other items.
  std::shared_ptr<pipeline::Upscaler> upscaler;
  pipeline::UpscaleOptions upscale;
  // The precision the request's model, detector and upscaler were loaded at: another
  // device loads its own at the same precision.
  Precision precision = Precision::kFloat32;
  // Set for another task's request (POST /api/v1/restore): the item runs this on the
  // device worker instead of the cartoon pipeline, and never batches with other items.
  std::function<Status(const image::Image& input, WorkOutcome* out)> run;
  // Items batch together only when the pipeline would treat them alike.
  bool same_as(const PipelineStage& o) const {
    return options.mode == o.options.mode && options.resolution == o.options.resolution &&
           options.long_side == o.options.long_side && options.strength == o.options.strength &&
           detector == o.detector && upscaler == o.upscaler && upscale.tta == o.upscale.tta && !run && !o.run;
  }
};

struct WorkOutcome {
  Status status;           // ok, the engine's error, or why the work was dropped
  image::Image image;      // the finished image (output size, strength) when ok
  pipeline::StylizeTimings timings;  // the whole-frame pass
  double detect_ms = 0, heads_ms = 0;
  double pipeline_ms = 0;  // everything the pipeline spent: frame, detection, heads, finishing
  double queue_ms = 0;     // from push to start of run
  int batch_size = 1;      // images in the device call this one was part of
  bool dropped = false;    // never ran
  pipeline::CartoonMode mode_used = pipeline::CartoonMode::kWhole;
  int faces = 0;
  std::vector<std::string> notes;
  std::string device;      // the device worker that ran it ("" if none did)
  // The precision it ran at there (a CPU next to a GPU runs fp16 requests at fp32).
  std::optional<Precision> precision;
  int attempts = 0;        // device workers that tried it (more than 1: retried elsewhere)
};

class WorkItem : public std::enable_shared_from_this<WorkItem> {
 public:
  enum class State { kQueued, kClaimed, kRunning, kDone, kDropped };

  WorkItem(std::shared_ptr<pipeline::ModelRunner> model, image::Image input,
           std::string model_label, Clock::time_point deadline = Clock::time_point::max(),
           PipelineStage stage = {});

  const image::Image& input() const { return input_; }
  int64_t pixels() const { return static_cast<int64_t>(input_.width) * input_.height; }
  const std::string& model_label() const { return model_label_; }
  // What the request was resolved to (on the first device's caches).
  const std::shared_ptr<pipeline::ModelRunner>& model() const { return model_; }
  const PipelineStage& stage() const { return stage_; }
  State state() const { return state_.load(); }
  // Set after the outcome is written, so a finished item's outcome is safe to read.
  bool finished() const { return done_.load(); }
  // Waits until the item is finished or `until`; returns finished().
  bool wait_until(Clock::time_point until);
  // Valid once finished().
  const WorkOutcome& outcome() const { return outcome_; }
  WorkOutcome take_outcome() { return std::move(outcome_); }

  // Called once on the worker thread when the worker finishes or drops the item (not
  // when a caller's cancel() drops it: that caller knows).
  std::function<void(WorkItem&)> on_finished;

 private:
  friend class DeviceScheduler;
  void finish(State state);

  std::shared_ptr<pipeline::ModelRunner> model_;
  PipelineStage stage_;
  image::Image input_;
  std::string model_label_;
  Clock::time_point deadline_;
  Clock::time_point enqueued_{};
  std::atomic<State> state_{State::kQueued};  // claimed by compare-exchange
  std::atomic<bool> done_{false};
  WorkOutcome outcome_;
  uint64_t failed_on_ = 0;  // bit k: device worker k failed it (under the scheduler's lock)
  Status last_error_;       // the last of those failures
  std::mutex mutex_;
  std::condition_variable cv_;
};

// An item as one device runs it: that device's model, detector and upscaler.
struct BoundWork {
  std::shared_ptr<pipeline::ModelRunner> model;
  PipelineStage stage;
};

struct SchedulerDevice {
  std::string id;  // "cuda:1", "cpu#2"
  // Loads (or finds) the item's model, detector and upscaler on this device. Null: the
  // item's own (the first device, whose caches the request was resolved on).
  std::function<Result<BoundWork>(const WorkItem&)> bind;
};

// One device worker, for /metrics and /api/v1/status.
struct DeviceWorkerReport {
  std::string id;
  bool in_rotation = true;
  std::string retired;  // why it was taken out of rotation
  int running = 0;
  uint64_t images_ok = 0, images_failed = 0;
  uint64_t retried_elsewhere = 0;  // images it failed and handed to another device
  double busy_s = 0;               // time in device calls
};

class DeviceScheduler {
 public:
  enum class Push { kOk, kFull, kStopped, kNoDevice };

  DeviceScheduler(std::string device_id, SchedulerOptions options, Metrics* metrics);
  // One worker per device (1 to 64). `faults` (TOONBOX_TEST_DEVICE_FAULTS) makes device
  // calls of chosen workers slow or fail, for tests.
  DeviceScheduler(std::vector<SchedulerDevice> devices, SchedulerOptions options, Metrics* metrics,
                  engine::DeviceFaults faults = {});
  ~DeviceScheduler();

  Push try_push(const std::shared_ptr<WorkItem>& item);
  // Drops a queued (or claimed, not yet running) item; false when it is already running
  // or finished. `reason` becomes the outcome's status and the metrics label.
  bool cancel(const std::shared_ptr<WorkItem>& item, const std::string& reason);

  // Refuses new work, finishes everything queued, joins the worker. Idempotent.
  void drain();

  int depth() const;
  int running() const;
  int capacity() const { return options_.queue_capacity; }
  bool has_room(int n) const;
  // Seconds a client should wait before retrying when the queue is full: the queue's
  // length times the recent time per image, 1..60.
  int retry_after_s() const;
  const SchedulerOptions& options() const { return options_; }
  // The device's id with one worker; the ids joined by ',' with several.
  const std::string& device_id() const { return device_id_; }
  // Whether a worker thread is alive (they exit on drain, or when retired).
  bool worker_alive() const { return workers_alive_.load() > 0; }
  // Device workers in rotation (0: every device failed; the server is not ready).
  int live_devices() const { return rotation_.live(); }
  int device_count() const { return static_cast<int>(workers_.size()); }
  std::vector<DeviceWorkerReport> device_reports() const;

 private:
  struct Worker;
  void worker_loop(int w);
  // Another task's item (stage.run: restore) holds what its route loaded on the first
  // device, so only that device's worker takes it; everything else goes to any worker
  // that has not failed it.
  static uint64_t barred(const WorkItem& item) {
    return item.failed_on_ | (item.stage_.run ? ~engine::DeviceRotation::bit(0) : uint64_t{0});
  }
  bool can_take(const WorkItem& item, int w) const {
    return !(barred(item) & engine::DeviceRotation::bit(w));
  }
  bool has_work_for(int w) const;
  void take_same_shape(const WorkItem& first, int w, std::vector<std::shared_ptr<WorkItem>>* batch);
  // Claims the items that are still wanted (not dropped, not past their deadline).
  std::vector<WorkItem*> claim_for_run(const std::vector<std::shared_ptr<WorkItem>>& batch);
  // The item's pipeline options with the scheduler's tile size.
  pipeline::CartoonOptions options_for(const PipelineStage& stage) const;
  // The item as worker w's device runs it, after the injected faults; an error says the
  // device (not the request) failed.
  Result<BoundWork> bind(int w, const WorkItem& item);
  void run_batch(int w, const std::vector<WorkItem*>& items);
  void run_one(int w, WorkItem& item);
  // After a failed device call of one item: true when it went back to the queue for
  // another device (the worker may have been retired on the way).
  bool retry_elsewhere(int w, WorkItem& item, const Status& failed);
  // Once per device taken out of rotation: fails what nobody can take now, tells the user.
  void after_retired(int w, const std::string& why);
  // The error of an item no device in rotation can take any more.
  static Status undeliverable(const WorkItem& item);
  // Fails the queued items no device in rotation can take any more.
  void fail_orphans();
  void finish_item(int w, WorkItem& item, double ms);

  std::string device_id_;
  SchedulerOptions options_;
  Metrics* metrics_;
  engine::DeviceFaults faults_;
  engine::DeviceRotation rotation_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<WorkItem>> queue_;
  bool stopping_ = false;
  std::atomic<int> workers_alive_{0};
  std::atomic<double> ms_per_image_{200.0};  // exponentially weighted
  std::once_flag drained_;
};

}  // namespace toonbox::server
