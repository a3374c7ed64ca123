// One bounded queue and one worker thread per device. The worker takes the smallest image
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
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
};

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
  // Items batch together only when the pipeline would treat them alike.
  bool same_as(const PipelineStage& o) const {
    return options.mode == o.options.mode && options.resolution == o.options.resolution &&
           options.long_side == o.options.long_side && options.strength == o.options.strength &&
           detector == o.detector && upscaler == o.upscaler && upscale.tta == o.upscale.tta;
  }
};

struct WorkOutcome {
  Status status;           // ok, the engine's error, or why the work was dropped
  image::Image image;             // the finished image (output size, strength) when ok
  pipeline::StylizeTimings timings;  // the whole-frame pass
  double detect_ms = 0, heads_ms = 0;
  double pipeline_ms = 0;  // everything the pipeline spent: frame, detection, heads, finishing
  double queue_ms = 0;     // from push to start of run
  int batch_size = 1;      // images in the device call this one was part of
  bool dropped = false;    // never ran
  pipeline::CartoonMode mode_used = pipeline::CartoonMode::kWhole;
  int faces = 0;
  std::vector<std::string> notes;
};

class WorkItem {
 public:
  enum class State { kQueued, kClaimed, kRunning, kDone, kDropped };

  WorkItem(std::shared_ptr<pipeline::ModelRunner> model, image::Image input, std::string model_label,
           Clock::time_point deadline = Clock::time_point::max(), PipelineStage stage = {});

  const image::Image& input() const { return input_; }
  int64_t pixels() const { return static_cast<int64_t>(input_.width) * input_.height; }
  const std::string& model_label() const { return model_label_; }
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
  std::mutex mutex_;
  std::condition_variable cv_;
};

class DeviceScheduler {
 public:
  enum class Push { kOk, kFull, kStopped };

  DeviceScheduler(std::string device_id, SchedulerOptions options, Metrics* metrics);
  ~DeviceScheduler();

  Push try_push(const std::shared_ptr<WorkItem>& item);
  // Drops a queued (or claimed, not yet running) item; false when it is already running
  // or finished. `reason` becomes the outcome's status and the metrics label.
  bool cancel(const std::shared_ptr<WorkItem>& item, const std::string& reason);

  // Refuses new work, finishes everything queued, joins the worker. Idempotent.
  void drain();

  int depth() const;
  int running() const { return running_.load(); }
  int capacity() const { return options_.queue_capacity; }
  bool has_room(int n) const;
  // Seconds a client should wait before retrying when the queue is full: the queue's
  // length times the recent time per image, 1..60.
  int retry_after_s() const;
  const SchedulerOptions& options() const { return options_; }
  const std::string& device_id() const { return device_id_; }
  // Whether the worker thread is alive (it only exits on drain).
  bool worker_alive() const { return worker_alive_.load(); }

 private:
  void worker_loop();
  void take_same_shape(const WorkItem& first, std::vector<std::shared_ptr<WorkItem>>* batch);
  // Claims the items that are still wanted (not dropped, not past their deadline).
  std::vector<WorkItem*> claim_for_run(const std::vector<std::shared_ptr<WorkItem>>& batch);
  // The item's pipeline options with the scheduler's tile size.
  pipeline::CartoonOptions options_for(const PipelineStage& stage) const;
  void run_batch(const std::vector<WorkItem*>& items);
  void run_one(WorkItem& item);
  void finish_item(WorkItem& item, double ms);

  std::string device_id_;
  SchedulerOptions options_;
  Metrics* metrics_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<WorkItem>> queue_;
  bool stopping_ = false;
  std::atomic<int> running_{0};
  std::atomic<bool> worker_alive_{true};
  std::atomic<double> ms_per_image_{200.0};  // exponentially weighted
  std::once_flag drained_;
  std::thread worker_;
};

}  // namespace toonbox::server
