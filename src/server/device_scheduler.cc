#include "server/device_scheduler.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <new>

#include "core/timing.h"
#include "engine/device_list.h"

namespace toonbox::server {

namespace {
constexpr auto kMaxBypass = std::chrono::seconds(2);
constexpr size_t kMaxDevices = engine::kMaxDeviceWorkers;  // sets of workers are 64-bit masks
// How often an idle worker re-checks for work while the server drains (another worker
// may hand back an item it failed).
constexpr auto kDrainPoll = std::chrono::milliseconds(25);

std::string joined_ids(const std::vector<SchedulerDevice>& devices) {
  std::string ids;
  for (const SchedulerDevice& d : devices) ids += (ids.empty() ? "" : ",") + d.id;
  return ids;
}

engine::DeviceRotation::Options server_rotation() {
  engine::DeviceRotation::Options o;
  o.oom_counts = false;  // a burst of large requests must not take every device out for good
  return o;
}
}  // namespace

struct DeviceScheduler::Worker {
  SchedulerDevice device;
  std::thread thread;
  std::atomic<int> running{0};
  std::atomic<uint64_t> images_ok{0}, images_failed{0}, retried_elsewhere{0};
  std::atomic<double> busy_ms{0};
};

WorkItem::WorkItem(std::shared_ptr<pipeline::ModelRunner> model, image::Image input,
                   std::string model_label, Clock::time_point deadline, PipelineStage stage)
    : model_(std::move(model)),
      stage_(std::move(stage)),
      input_(std::move(input)),
      model_label_(std::move(model_label)),
      deadline_(deadline) {}

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
    : DeviceScheduler(std::vector<SchedulerDevice>{{std::move(device_id), nullptr}}, std::move(options), metrics) {}

DeviceScheduler::DeviceScheduler(std::vector<SchedulerDevice> devices, SchedulerOptions options,
                                 Metrics* metrics, engine::DeviceFaults faults)
    : device_id_(joined_ids(devices)),
      options_(std::move(options)),
      metrics_(metrics),
      faults_(std::move(faults)),
      rotation_(static_cast<int>(std::clamp<size_t>(devices.size(), 1, kMaxDevices)),
                server_rotation()) {
  options_.queue_capacity = std::max(1, options_.queue_capacity);
  options_.max_batch = std::max(1, options_.max_batch);
  options_.max_wait_ms = std::max(0, options_.max_wait_ms);
  if (devices.empty()) devices.push_back({"cpu", nullptr});  // the callers always name one
  devices.resize(std::min(devices.size(), kMaxDevices));
  for (SchedulerDevice& d : devices) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->device = std::move(d);
  }
  workers_alive_.store(static_cast<int>(workers_.size()));
  for (size_t w = 0; w < workers_.size(); ++w)
    workers_[w]->thread = std::thread([this, w] { worker_loop(static_cast<int>(w)); });
}

DeviceScheduler::~DeviceScheduler() { drain(); }

DeviceScheduler::Push DeviceScheduler::try_push(const std::shared_ptr<WorkItem>& item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Push::kStopped;
    if (rotation_.live() == 0) return Push::kNoDevice;
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
    for (auto& w : workers_)
      if (w->thread.joinable()) w->thread.join();
    // Nothing is left behind: every item a worker could take was run; the rest (none in
    // rotation could take them) were failed when the last capable device was retired.
    fail_orphans();
  });
}

int DeviceScheduler::running() const {
  int n = 0;
  for (const auto& w : workers_) n += w->running.load();
  return n;
}

std::vector<DeviceWorkerReport> DeviceScheduler::device_reports() const {
  std::vector<DeviceWorkerReport> out;
  for (size_t i = 0; i < workers_.size(); ++i) {
    const Worker& w = *workers_[i];
    DeviceWorkerReport r;
    r.id = w.device.id;
    r.in_rotation = !rotation_.retired(static_cast<int>(i));
    r.retired = rotation_.retired_reason(static_cast<int>(i));
    r.running = w.running.load();
    r.images_ok = w.images_ok.load();
    r.images_failed = w.images_failed.load();
    r.retried_elsewhere = w.retried_elsewhere.load();
    r.busy_s = w.busy_ms.load() / 1000.0;
    out.push_back(std::move(r));
  }
  return out;
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
  const double s = waiting * ms_per_image_.load() / 1000.0 / std::max(1, rotation_.live());
  return static_cast<int>(std::clamp(std::ceil(s), 1.0, 60.0));
}

bool DeviceScheduler::has_work_for(int w) const {
  for (const auto& item : queue_)
    if (can_take(*item, w)) return true;
  return false;
}

void DeviceScheduler::take_same_shape(const WorkItem& first, int worker,
                                      std::vector<std::shared_ptr<WorkItem>>* batch) {
  for (auto it = queue_.begin(); it != queue_.end() && static_cast<int>(batch->size()) < options_.max_batch;) {
    WorkItem& w = **it;
    // Same size and options: the pipeline processes them at the same size, in one call.
    if (can_take(w, worker) && w.model_ == first.model_ && w.input_.width == first.input_.width &&
        w.input_.height == first.input_.height && w.stage_.same_as(first.stage_)) {
      w.state_.store(WorkItem::State::kClaimed);
      batch->push_back(*it);
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

void DeviceScheduler::worker_loop(int w) {
  Worker& me = *workers_[static_cast<size_t>(w)];
  for (;;) {
    std::vector<std::shared_ptr<WorkItem>> batch;
    bool put_back = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (rotation_.retired(w)) break;
      if (!has_work_for(w)) {
        // Stopping: done once nothing is queued and no other worker could still hand an
        // item back; until then look again every few milliseconds.
        if (stopping_ && queue_.empty() && running() == 0) break;
        if (stopping_) cv_.wait_for(lock, kDrainPoll);
        else cv_.wait(lock, [&] { return stopping_ || rotation_.retired(w) || has_work_for(w); });
        continue;
      }
      // Smallest image first, so a huge one queued ahead does not hold back the small
      // ones behind it; the oldest is taken anyway once it has waited kMaxBypass, so a
      // large image cannot be starved. Only items this worker has not failed.
      auto pick = queue_.end();
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (!can_take(**it, w)) continue;
        if (pick == queue_.end()) {
          pick = it;
          if (Clock::now() - (*pick)->enqueued_ >= kMaxBypass) break;
        } else if ((*it)->pixels() < (*pick)->pixels()) {
          pick = it;
        }
      }
      std::shared_ptr<WorkItem> first = *pick;
      queue_.erase(pick);
      first->state_.store(WorkItem::State::kClaimed);
      batch.push_back(first);
      take_same_shape(*first, w, &batch);
      // Dynamic batching: give same-shape requests that are on their way a moment to
      // arrive, unless the batch is full or the server is draining.
      const auto wait_end = Clock::now() + std::chrono::milliseconds(options_.max_wait_ms);
      while (static_cast<int>(batch.size()) < options_.max_batch && !stopping_ &&
             options_.max_wait_ms > 0) {
        if (cv_.wait_until(lock, wait_end) == std::cv_status::timeout) {
          take_same_shape(*first, w, &batch);
          break;
        }
        take_same_shape(*first, w, &batch);
      }
      // A batch of n images is a device call of shape n, and every new shape is a compile
      // (100-300 ms for White-box at 1024² on the H200). Dynamic batches of any size made
      // every worker compile up to max_batch shapes per image size while serving: p99 716 ms
      // at 16 clients (issue 14). Powers of two bound that to log2(max_batch) + 1 shapes;
      // the rest goes back to the front of the queue, in order, for the next batch.
      while (batch.size() > 1 && !std::has_single_bit(batch.size())) {
        batch.back()->state_.store(WorkItem::State::kQueued);
        queue_.push_front(std::move(batch.back()));
        batch.pop_back();
        put_back = true;
      }
      me.running.store(static_cast<int>(batch.size()));
    }
    if (put_back) cv_.notify_all();  // another worker may take them now
    const std::vector<WorkItem*> items = claim_for_run(batch);
    // Dropped items were never running; the claimed ones count down as they finish.
    me.running.fetch_sub(static_cast<int>(batch.size() - items.size()));
    if (!items.empty()) run_batch(w, items);
  }
  workers_alive_.fetch_sub(1);
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
pipeline::CartoonPipeline pipeline_for(const std::shared_ptr<pipeline::ModelRunner>& model,
                                       const PipelineStage& stage) {
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

Result<BoundWork> DeviceScheduler::bind(int w, const WorkItem& item) {
  Worker& me = *workers_[static_cast<size_t>(w)];
  if (!faults_.empty()) TB_RETURN_IF_ERROR(faults_.before_call(w));
  if (!me.device.bind) return BoundWork{item.model_, item.stage_};
  auto bound = me.device.bind(item);
  if (bound.is_ok() || engine::DeviceHealth::is_device_lost(bound.status()) ||
      engine::DeviceHealth::may_be_device(bound.status()))
    return bound;
  // It loaded on the first device, so failing here is this device's fault: another tries it.
  return internal_error(me.device.id + " could not load what the request needs: " + bound.status().message());
}

void DeviceScheduler::run_batch(int w, const std::vector<WorkItem*>& items) {
  if (items.size() == 1 || items[0]->stage_.upscaler || items[0]->stage_.run) {
    // An upscaler's unit is one image (its tiles); same-size upscales run one by one, as
    // do other tasks' items.
    for (WorkItem* item : items) run_one(w, *item);
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
    // Every item of a batch has the same model and stage, so one binding serves them all.
    TB_ASSIGN_OR_RETURN(BoundWork bound, bind(w, *items[0]));
    for (WorkItem* item : items) item->outcome_.precision = bound.stage.precision;
    auto result = pipeline_for(bound.model, bound.stage).process_batch(inputs, options_for(bound.stage), &reports);
    if (!result.is_ok()) return result.status();
    images = std::move(result).value();
    return Status::ok();
  });
  const double ms = ms_between(start, Clock::now());
  Worker& me = *workers_[static_cast<size_t>(w)];
  me.busy_ms.store(me.busy_ms.load() + ms);
  const pipeline::StylizeTimings timings =
      reports.empty() ? pipeline::StylizeTimings{} : reports[0].background;
  if (status.code() == StatusCode::kOutOfMemory ||
      (!status.is_ok() && rotation_.size() > 1 && engine::DeviceHealth::may_be_device(status))) {
    // Even the halved batches failed: give every image its own chance (and its own
    // tiles), so only the ones that cannot run at all get the 503. With several devices
    // each one alone also tells whether the device or the image is at fault.
    for (WorkItem* item : items) run_one(w, *item);
    return;
  }
  if (!status.is_ok() && rotation_.size() > 1 && engine::DeviceHealth::is_device_lost(status)) {
    for (WorkItem* item : items) {
      item->outcome_.status = status;
      if (!retry_elsewhere(w, *item, status)) finish_item(w, *item, ms / static_cast<double>(items.size()));
    }
    return;
  }
  if (metrics_) {
    // One observation per device call: a group that ran one at a time (the model cannot
    // batch) or in halves (memory) is several calls.
    const int n = static_cast<int>(items.size());
    const int per_call = status.is_ok() ? std::max(1, timings.batch) : n;
    for (int calls = (n + per_call - 1) / per_call; calls > 0; --calls) metrics_->record_batch(per_call);
  }
  if (status.is_ok()) rotation_.judge(w, status);  // a success ends a streak of failures
  for (size_t i = 0; i < items.size(); ++i) {
    WorkOutcome& out = items[i]->outcome_;
    out.status = status;
    if (status.is_ok()) record_report(reports[i], &out);
    out.batch_size = status.is_ok() ? timings.batch : static_cast<int>(items.size());
    if (status.is_ok()) out.image = std::move(images[i]);
    finish_item(w, *items[i], ms / static_cast<double>(items.size()));
  }
}

void DeviceScheduler::run_one(int w, WorkItem& item) {
  const auto start = Clock::now();
  WorkOutcome& out = item.outcome_;
  if (out.queue_ms == 0) out.queue_ms = ms_between(item.enqueued_, start);
  out.batch_size = 1;
  if (rotation_.retired(w)) {
    // Taken out of rotation by an earlier image of its batch: the others go elsewhere.
    out.status = unavailable(workers_[static_cast<size_t>(w)]->device.id + " was taken out of rotation");
    if (retry_elsewhere(w, item, out.status)) return;
    return finish_item(w, item, 0);
  }
  out.status = guarded(item.input_, [&]() -> Status {
    TB_ASSIGN_OR_RETURN(BoundWork bound, bind(w, item));
    out.precision = bound.stage.precision;
    if (bound.stage.upscaler) return run_upscale(bound.stage, item.input_, &out);
    // Another task's item (restore) runs what its route bound, on the device that loaded it.
    if (bound.stage.run) return bound.stage.run(item.input_, &out);
    pipeline::CartoonReport report;
    auto result = pipeline_for(bound.model, bound.stage).process(item.input_, options_for(bound.stage), &report);
    if (!result.is_ok()) return result.status();
    out.image = std::move(result).value();
    record_report(report, &out);
    return Status::ok();
  });
  const double ms = ms_between(start, Clock::now());
  Worker& me = *workers_[static_cast<size_t>(w)];
  me.busy_ms.store(me.busy_ms.load() + ms);
  if (metrics_) metrics_->record_batch(1);
  if (!out.status.is_ok() && retry_elsewhere(w, item, out.status)) return;
  if (out.status.is_ok()) rotation_.judge(w, out.status);
  finish_item(w, item, ms);
}

bool DeviceScheduler::retry_elsewhere(int w, WorkItem& item, const Status& failed) {
  const engine::DeviceRotation::Verdict verdict = rotation_.judge(w, failed);
  if (!verdict.retry_elsewhere) return false;
  Worker& me = *workers_[static_cast<size_t>(w)];
  bool requeued = false, newly_retired = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    item.failed_on_ |= engine::DeviceRotation::bit(w);
    item.last_error_ = failed;
    if (!verdict.retire.empty()) newly_retired = rotation_.retire(w, verdict.retire);
    if (rotation_.someone_can_try(item.failed_on_)) {
      // Back to the front: it has waited already. Past the capacity check on purpose: it
      // was admitted once.
      item.outcome_ = WorkOutcome{};
      item.state_.store(WorkItem::State::kQueued);
      queue_.push_front(item.shared_from_this());
      me.retried_elsewhere.fetch_add(1);
      me.running.fetch_sub(1);
      requeued = true;
    }
  }
  cv_.notify_all();
  if (newly_retired) after_retired(w, verdict.retire);
  if (!requeued) item.outcome_.status = undeliverable(item);  // nobody left who has not failed it
  return requeued;
}

Status DeviceScheduler::undeliverable(const WorkItem& item) {
  // Its last error, and how many devices tried it.
  const int tried = std::popcount(item.failed_on_);
  const Status why = item.last_error_.is_ok()
                         ? unavailable("no device left to run it: every device was taken out of rotation")
                         : item.last_error_;
  if (tried < 2) return why;
  return Status(why.code(), why.message() + " (failed on " + std::to_string(tried) + " devices)");
}

void DeviceScheduler::after_retired(int w, const std::string& why) {
  // The queued items nobody in rotation can take now fail; the user is told once.
  fail_orphans();
  if (options_.on_device_retired)
    options_.on_device_retired(workers_[static_cast<size_t>(w)]->device.id, why, rotation_.live());
}

void DeviceScheduler::fail_orphans() {
  std::vector<std::shared_ptr<WorkItem>> orphans;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      auto expected = WorkItem::State::kQueued;
      if (!rotation_.someone_can_try(barred(**it)) &&
          (*it)->state_.compare_exchange_strong(expected, WorkItem::State::kRunning)) {
        orphans.push_back(*it);
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& item : orphans) {
    item->outcome_.status = undeliverable(*item);
    item->outcome_.attempts = std::popcount(item->failed_on_);
    if (metrics_) metrics_->record_image(item->model_label_, "error", 0);
    item->finish(WorkItem::State::kDone);
    if (item->on_finished) item->on_finished(*item);
  }
}

void DeviceScheduler::finish_item(int w, WorkItem& item, double ms) {
  Worker& me = *workers_[static_cast<size_t>(w)];
  WorkOutcome& out = item.outcome_;
  out.device = me.device.id;
  out.attempts = std::popcount(item.failed_on_ | engine::DeviceRotation::bit(w));
  if (out.status.is_ok()) {
    // Smoothed time per image, for Retry-After.
    ms_per_image_.store(0.8 * ms_per_image_.load() + 0.2 * ms);
    me.images_ok.fetch_add(1);
  } else {
    me.images_failed.fetch_add(1);
  }
  if (metrics_) {
    const char* outcome = out.status.is_ok() ? "ok"
                          : out.status.code() == StatusCode::kOutOfMemory ? "out_of_memory"
                                                                          : "error";
    metrics_->record_image(item.model_label_, outcome, ms / 1000.0);
  }
  me.running.fetch_sub(1);
  item.finish(WorkItem::State::kDone);
  if (item.on_finished) item.on_finished(item);
}

}  // namespace toonbox::server
