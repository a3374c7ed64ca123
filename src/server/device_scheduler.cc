#include "server/device_scheduler.h"

#include <algorithm>
#include <cmath>
#include <new>

#include "core/timing.h"

namespace toonbox::server {

namespace {
constexpr auto kMaxBypass = std::chrono::seconds(2);
}  // namespace

WorkItem::WorkItem(std::shared_ptr<pipeline::ModelRunner> model, image::Image input, std::string model_label,
                   Clock::time_point deadline, PipelineStage stage)
    : model_(std::move(model)), stage_(std::move(stage)), input_(std::move(input)),
      model_label_(std::move(model_label)), deadline_(deadline) {}

bool WorkItem::wait_until(Clock::time_point until) {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_until(lock, until, [&] { return finished(); });
}

void WorkItem::finish(State state) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_.store(state);
    done_.store(true);
  }
  cv_.notify_all();
}

DeviceScheduler::DeviceScheduler(std::string device_id, SchedulerOptions options, Metrics* metrics)
    : device_id_(std::move(device_id)), options_(options), metrics_(metrics) {
  options_.queue_capacity = std::max(1, options_.queue_capacity);
  options_.max_batch = std::max(1, options_.max_batch);
  options_.max_wait_ms = std::max(0, options_.max_wait_ms);
  worker_ = std::thread([this] { worker_loop(); });
}

DeviceScheduler::~DeviceScheduler() { drain(); }

DeviceScheduler::Push DeviceScheduler::try_push(const std::shared_ptr<WorkItem>& item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Push::kStopped;
    if (static_cast<int>(queue_.size()) >= options_.queue_capacity) return Push::kFull;
    item->enqueued_ = Clock::now();
    item->state_.store(WorkItem::State::kQueued);
    queue_.push_back(item);
  }
  cv_.notify_all();
  return Push::kOk;
}

bool DeviceScheduler::cancel(const std::shared_ptr<WorkItem>& item, const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto expected = WorkItem::State::kQueued;
    if (item->state_.compare_exchange_strong(expected, WorkItem::State::kDropped)) {
      queue_.erase(std::remove(queue_.begin(), queue_.end(), item), queue_.end());
    } else {
      expected = WorkItem::State::kClaimed;
      if (!item->state_.compare_exchange_strong(expected, WorkItem::State::kDropped)) return false;
    }
    item->outcome_.status = unavailable(reason);
    item->outcome_.dropped = true;
  }
  item->finish(WorkItem::State::kDropped);
  if (metrics_) metrics_->record_dropped(reason);
  return true;
}

void DeviceScheduler::drain() {
  std::call_once(drained_, [this] {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
  });
}

int DeviceScheduler::depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(queue_.size());
}

bool DeviceScheduler::has_room(int n) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !stopping_ && static_cast<int>(queue_.size()) + n <= options_.queue_capacity;
}

int DeviceScheduler::retry_after_s() const {
  const double waiting = depth() + running();
  const double s = waiting * ms_per_image_.load() / 1000.0;
  return static_cast<int>(std::clamp(std::ceil(s), 1.0, 60.0));
}

void DeviceScheduler::take_same_shape(const WorkItem& first,
                                      std::vector<std::shared_ptr<WorkItem>>* batch) {
  for (auto it = queue_.begin(); it != queue_.end() && static_cast<int>(batch->size()) < options_.max_batch;) {
    WorkItem& w = **it;
    // Same size and options: the pipeline processes them at the same size, in one call.
    if (w.model_ == first.model_ && w.input_.width == first.input_.width &&
        w.input_.height == first.input_.height && w.stage_.same_as(first.stage_)) {
      w.state_.store(WorkItem::State::kClaimed);
      batch->push_back(*it);
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

void DeviceScheduler::worker_loop() {
  for (;;) {
    std::vector<std::shared_ptr<WorkItem>> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and nothing left
      // Smallest image first, so a huge one queued ahead does not hold back the small
      // ones behind it; the oldest is taken anyway once it has waited kMaxBypass, so a
      // large image cannot be starved.
      auto pick = queue_.begin();
      if (Clock::now() - (*pick)->enqueued_ < kMaxBypass) {
        for (auto it = queue_.begin(); it != queue_.end(); ++it)
          if ((*it)->pixels() < (*pick)->pixels()) pick = it;
      }
      std::shared_ptr<WorkItem> first = *pick;
      queue_.erase(pick);
      first->state_.store(WorkItem::State::kClaimed);
      batch.push_back(first);
      take_same_shape(*first, &batch);
      // Dynamic batching: give same-shape requests that are on their way a moment to
      // arrive, unless the batch is full or the server is draining.
      const auto wait_end = Clock::now() + std::chrono::milliseconds(options_.max_wait_ms);
      while (static_cast<int>(batch.size()) < options_.max_batch && !stopping_ &&
             options_.max_wait_ms > 0) {
        if (cv_.wait_until(lock, wait_end) == std::cv_status::timeout) {
          take_same_shape(*first, &batch);
          break;
        }
        take_same_shape(*first, &batch);
      }
      running_.store(static_cast<int>(batch.size()));
    }
    const std::vector<WorkItem*> items = claim_for_run(batch);
    // Dropped items were never running; the claimed ones count down as they finish.
    running_.fetch_sub(static_cast<int>(batch.size() - items.size()));
    if (!items.empty()) run_batch(items);
  }
  worker_alive_.store(false);
}

std::vector<WorkItem*> DeviceScheduler::claim_for_run(const std::vector<std::shared_ptr<WorkItem>>& batch) {
  std::vector<WorkItem*> items;
  for (const auto& item : batch) {
    auto expected = WorkItem::State::kClaimed;
    if (Clock::now() > item->deadline_) {
      // Claimed but past its deadline: its client has been told it timed out.
      if (item->state_.compare_exchange_strong(expected, WorkItem::State::kDropped)) {
        item->outcome_.status = unavailable("timed out in the queue");
        item->outcome_.dropped = true;
        item->finish(WorkItem::State::kDropped);
        if (metrics_) metrics_->record_dropped("timeout");
        if (item->on_finished) item->on_finished(*item);
      }
    } else if (item->state_.compare_exchange_strong(expected, WorkItem::State::kRunning)) {
      items.push_back(item.get());
    }
    // else: cancel() dropped it (client gone, job cancelled) and recorded why.
  }
  return items;
}

namespace {

// Runs `fn`, turning a C++ exception into a Status: one bad image must not end the
// device worker.
template <typename Fn>
Status guarded(const image::Image& input, Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return out_of_memory("host memory exhausted while processing a " + std::to_string(input.width) + "x" +
                         std::to_string(input.height) + " image");
  } catch (const std::exception& e) {
    return internal_error(std::string("unexpected failure: ") + e.what());
  }
}

// The pipeline for an item: its model for the frame and the heads, its detector. Cheap
// (shared pointers), so built per call; the item's options go with it, so the server's
// result is the CLI's.
pipeline::CartoonPipeline pipeline_for(const std::shared_ptr<pipeline::ModelRunner>& model, const PipelineStage& stage) {
  pipeline::CartoonModels m;
  m.background = model;
  m.head = model;
  m.detector = stage.detector;
  m.detector_missing = stage.detector_missing;
  return pipeline::CartoonPipeline(std::move(m));
}

Status run_upscale(const PipelineStage& stage, const image::Image& input, WorkOutcome* out) {
  pipeline::UpscaleReport report;
  const auto start = Clock::now();
  TB_ASSIGN_OR_RETURN(out->image, stage.upscaler->upscale(input, stage.upscale, &report));
  out->pipeline_ms = ms_between(start, Clock::now());
  out->timings.run.compile_ms = report.compile_ms;
  out->timings.run.timings.compute_ms = report.compute_ms;
  out->timings.run.timings.upload_ms = report.upload_ms;
  out->timings.run.timings.download_ms = report.download_ms;
  out->timings.tiles = report.tiles;
  out->notes = report.notes;
  return Status::ok();
}

void record_report(const pipeline::CartoonReport& report, WorkOutcome* out) {
  out->timings = report.background;
  out->detect_ms = report.detect_ms;
  out->heads_ms = report.heads_ms;
  out->pipeline_ms = report.total_ms;
  out->mode_used = report.mode_used;
  out->faces = report.faces;
  out->notes = report.all_notes();
}

}  // namespace

pipeline::CartoonOptions DeviceScheduler::options_for(const PipelineStage& stage) const {
  pipeline::CartoonOptions o = stage.options;
  o.stylize.tile_size = options_.tile_size;  // bounds a large image's working memory
  return o;
}

void DeviceScheduler::run_batch(const std::vector<WorkItem*>& items) {
  if (items.size() == 1 || items[0]->stage_.upscaler) {
    // An upscaler's unit is one image (its tiles); same-size upscales run one by one.
    for (WorkItem* item : items) run_one(*item);
    return;
  }
  const auto start = Clock::now();
  std::vector<const image::Image*> inputs;
  for (WorkItem* item : items) {
    inputs.push_back(&item->input_);
    item->outcome_.queue_ms = ms_between(item->enqueued_, start);
  }
  std::vector<pipeline::CartoonReport> reports;
  std::vector<image::Image> images;
  const Status status = guarded(*inputs[0], [&]() -> Status {
    const PipelineStage& stage = items[0]->stage_;
    auto result = pipeline_for(items[0]->model_, stage).process_batch(inputs, options_for(stage), &reports);
    if (!result.is_ok()) return result.status();
    images = std::move(result).value();
    return Status::ok();
  });
  const pipeline::StylizeTimings timings = reports.empty() ? pipeline::StylizeTimings{} : reports[0].background;
  if (status.code() == StatusCode::kOutOfMemory) {
    // Even the halved batches failed: give every image its own chance (and its own
    // tiles), so only the ones that cannot run at all get the 503.
    for (WorkItem* item : items) run_one(*item);
    return;
  }
  if (metrics_) {
    // One observation per device call: a group that ran one at a time (the model cannot
    // batch) or in halves (memory) is several calls.
    const int n = static_cast<int>(items.size());
    const int per_call = status.is_ok() ? std::max(1, timings.batch) : n;
    for (int calls = (n + per_call - 1) / per_call; calls > 0; --calls) metrics_->record_batch(per_call);
  }
  const double ms = ms_between(start, Clock::now());
  for (size_t i = 0; i < items.size(); ++i) {
    WorkOutcome& out = items[i]->outcome_;
    out.status = status;
    if (status.is_ok()) record_report(reports[i], &out);
    out.batch_size = status.is_ok() ? timings.batch : static_cast<int>(items.size());
    if (status.is_ok()) out.image = std::move(images[i]);
    finish_item(*items[i], ms / static_cast<double>(items.size()));
  }
}

void DeviceScheduler::run_one(WorkItem& item) {
  const auto start = Clock::now();
  WorkOutcome& out = item.outcome_;
  if (out.queue_ms == 0) out.queue_ms = ms_between(item.enqueued_, start);
  out.batch_size = 1;
  out.status = guarded(item.input_, [&]() -> Status {
    if (item.stage_.upscaler) return run_upscale(item.stage_, item.input_, &out);
    pipeline::CartoonReport report;
    auto result = pipeline_for(item.model_, item.stage_).process(item.input_, options_for(item.stage_), &report);
    if (!result.is_ok()) return result.status();
    out.image = std::move(result).value();
    record_report(report, &out);
    return Status::ok();
  });
  if (metrics_) metrics_->record_batch(1);
  finish_item(item, ms_between(start, Clock::now()));
}

void DeviceScheduler::finish_item(WorkItem& item, double ms) {
  const WorkOutcome& out = item.outcome_;
  if (out.status.is_ok()) {
    // Smoothed time per image, for Retry-After.
    ms_per_image_.store(0.8 * ms_per_image_.load() + 0.2 * ms);
  }
  if (metrics_) {
    const char* outcome = out.status.is_ok() ? "ok"
                          : out.status.code() == StatusCode::kOutOfMemory ? "out_of_memory"
                                                                          : "error";
    metrics_->record_image(item.model_label_, outcome, ms / 1000.0);
  }
  running_.fetch_sub(1);
  item.finish(WorkItem::State::kDone);
  if (item.on_finished) item.on_finished(item);
}

}  // namespace toonbox::server
