#include "server/jobs.h"

#include <cmath>
#include <ctime>

#include "image/image.h"
#include "image/image_io.h"
#include "server/api_errors.h"
#include "server/image_ops.h"
#include "server/security.h"

namespace toonbox::server {

namespace {

const char* item_state_name(bool in_device, WorkItem::State s) {
  if (!in_device) return "waiting";
  switch (s) {
    case WorkItem::State::kQueued:
    case WorkItem::State::kClaimed: return "queued";
    default: return "running";
  }
}

}  // namespace

JobManager::JobManager(DeviceScheduler* scheduler, Metrics* metrics, JobOptions options)
    : scheduler_(scheduler), metrics_(metrics), options_(options) {
  options_.max_in_flight = std::max(1, options_.max_in_flight);
  feeder_ = std::thread([this] { feeder_loop(); });
}

JobManager::~JobManager() { shutdown(); }

int JobManager::active_jobs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_jobs_locked();
}

int JobManager::active_jobs_locked() const {
  int n = 0;
  for (const auto& [id, job] : jobs_) n += job->unfinished > 0;
  return n;
}

int JobManager::stored_jobs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(jobs_.size());
}

Result<std::string> JobManager::create(const CartoonizeParams& params,
                                       std::shared_ptr<pipeline::ModelRunner> model,
                                       PipelineStage stage, std::vector<Upload> uploads,
                                       bool* busy) {
  *busy = false;
  if (uploads.empty()) return invalid_argument("no images: send one or more files in the 'images' form field");
  if (static_cast<int>(uploads.size()) > options_.max_images_per_job) {
    return resource_exhausted("a job takes at most " + std::to_string(options_.max_images_per_job) +
                              " images, got " + std::to_string(uploads.size()) +
                              " (split them into several jobs)");
  }
  TB_ASSIGN_OR_RETURN(std::string token, generate_token());
  auto job = std::make_shared<Job>();
  job->id = token.substr(0, 32);
  job->params = params;
  job->model = std::move(model);
  job->stage = std::move(stage);
  job->created = Clock::now();
  for (Upload& up : uploads) {
    Item item;
    item.source_name = up.filename.substr(0, 200);
    item.download_name = download_name(up.filename, "-toon", extension_for(params.format));
    // The header is checked now so a bad file is reported at once; pixels are decoded
    // just before the image goes to the device.
    auto info =
        image::probe_image(reinterpret_cast<const uint8_t*>(up.bytes.data()), up.bytes.size());
    if (!info.is_ok()) {
      item.state = ItemState::kFailed;
      item.error = explain_decode_error(info.status());
    } else if (static_cast<int64_t>(info->width) * info->height > options_.max_pixels) {
      item.state = ItemState::kFailed;
      item.error = resource_exhausted("the image is " + std::to_string(info->width) + "x" +
                                      std::to_string(info->height) + ", over the server's limit of " +
                                      std::to_string(options_.max_pixels) + " pixels");
    } else if (const size_t need = request_memory_bytes(*info, params, *job->model, options_.tile_size);
               need > options_.max_request_bytes) {
      item.state = ItemState::kFailed;
      item.error = over_request_memory(*info, need, options_.max_request_bytes);
    } else {
      item.memory_bytes = need;
      item.upload = std::move(up.bytes);
      ++job->unfinished;
    }
    if (item.state == ItemState::kFailed) item.settled_at = job->created;
    job->items.push_back(std::move(item));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return unavailable("the server is shutting down");
    expire_locked();
    const int active = active_jobs_locked();
    if (active >= options_.max_active_jobs || static_cast<int>(jobs_.size()) >= options_.max_stored_jobs) {
      *busy = true;
      return resource_exhausted("the server already has " + std::to_string(active) +
                                " jobs running (limit " + std::to_string(options_.max_active_jobs) +
                                "); try again when one has finished");
    }
    if (job->unfinished == 0) job->finished_at = Clock::now();
    jobs_.emplace(job->id, job);
    order_.push_back(job->id);
  }
  cv_.notify_all();
  return job->id;
}

void JobManager::expire_locked() {
  const auto now = Clock::now();
  size_t stored_bytes = 0;
  for (const auto& [id, job] : jobs_)
    for (const Item& item : job->items) stored_bytes += item.result.size() + item.upload.size();
  for (auto it = order_.begin(); it != order_.end();) {
    auto j = jobs_.find(*it);
    if (j == jobs_.end()) {
      it = order_.erase(it);
      continue;
    }
    const Job& job = *j->second;
    const bool stale = job.unfinished == 0 && now - job.finished_at > std::chrono::seconds(options_.ttl_s);
    // Over the storage limit, the oldest finished jobs go first.
    const bool over = job.unfinished == 0 && (static_cast<int>(jobs_.size()) >= options_.max_stored_jobs ||
                                              stored_bytes > options_.max_stored_bytes);
    if (stale || over) {
      for (const Item& item : job.items) stored_bytes -= item.result.size() + item.upload.size();
      jobs_.erase(j);
      it = order_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<nlohmann::json> JobManager::describe(const std::string& id, const std::string& url_prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& job = *it->second;
  const auto now = Clock::now();
  nlohmann::json items = nlohmann::json::array();
  int counts[5] = {0, 0, 0, 0, 0};
  int running = 0;
  for (size_t i = 0; i < job.items.size(); ++i) {
    const Item& item = job.items[i];
    nlohmann::json j = {{"index", i}, {"name", item.source_name}};
    switch (item.state) {
      case ItemState::kWaiting:
      case ItemState::kInDevice: {
        const bool in_device = item.state == ItemState::kInDevice && item.work;
        j["state"] = item_state_name(in_device, in_device ? item.work->state() : WorkItem::State::kQueued);
        if (in_device && item.work->state() != WorkItem::State::kQueued &&
            item.work->state() != WorkItem::State::kClaimed)
          ++running;
        break;
      }
      case ItemState::kDone:
        j["state"] = "done";
        j["result_url"] = url_prefix + "/results/" + std::to_string(i);
        j["filename"] = item.download_name;
        j["width"] = item.width;
        j["height"] = item.height;
        j["bytes"] = item.result.size();
        j["timings_ms"] = {{"queue", item.queue_ms}, {"inference", item.inference_ms}};
        j["mode"] = pipeline::cartoon_mode_name(item.mode_used);
        j["faces"] = item.faces;
        j["notes"] = item.notes;
        break;
      case ItemState::kFailed: j["state"] = "failed"; break;
      case ItemState::kCancelled: j["state"] = "cancelled"; break;
    }
    if (!item.error.is_ok()) {
      j["error"] = {{"status", http_status_for(item.error)},
                    {"code", error_code_for(item.error)},
                    {"message", item.error.message()}};
    }
    // Since the job was created, until the image settled: the page shows it beside each
    // image, so one long image is seen to be working (issue 20: "sits at 0 of 1"), and a
    // reloaded page gets the right figure from the server.
    const bool settled = item.settled_at != Clock::time_point{};
    j["elapsed_ms"] = std::llround(std::chrono::duration<double, std::milli>(
                                       (settled ? item.settled_at : now) - job.created)
                                       .count());
    ++counts[static_cast<int>(item.state)];
    items.push_back(std::move(j));
  }
  const char* state = job.unfinished > 0 ? "running" : job.cancelled ? "cancelled" : "finished";
  return nlohmann::json{{"id", job.id},
                        {"state", state},
                        {"model", job.model->model().name},
                        {"total", job.items.size()},
                        {"done", counts[static_cast<int>(ItemState::kDone)]},
                        {"failed", counts[static_cast<int>(ItemState::kFailed)]},
                        {"cancelled", counts[static_cast<int>(ItemState::kCancelled)]},
                        {"running", running},
                        {"pending", job.unfinished},
                        {"elapsed_ms", std::llround(std::chrono::duration<double, std::milli>(
                                                        (job.unfinished > 0 ? now : job.finished_at) - job.created)
                                                        .count())},
                        {"items", items}};
}

Result<JobManager::ResultFile> JobManager::result(const std::string& id, size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return not_found("no job '" + id.substr(0, 64) + "' (finished jobs are kept for " +
                                          std::to_string(options_.ttl_s / 60) + " minutes)");
  const Job& job = *it->second;
  if (index >= job.items.size())
    return not_found("job " + id + " has " + std::to_string(job.items.size()) + " images; no image " +
                     std::to_string(index));
  const Item& item = job.items[index];
  if (item.state == ItemState::kFailed || item.state == ItemState::kCancelled) {
    return item.error.is_ok() ? not_found("image " + std::to_string(index) + " was cancelled")
                              : item.error;
  }
  if (item.state != ItemState::kDone) return not_found("image " + std::to_string(index) + " is not finished yet");
  return ResultFile{item.result, mime_type_for(job.params.format), item.download_name};
}

Result<JobManager::ResultRefs> JobManager::finished_results(
    const std::vector<std::pair<std::string, size_t>>& wanted) {
  std::lock_guard<std::mutex> lock(mutex_);
  ResultRefs refs;
  for (const auto& [id, index] : wanted) {
    auto it = jobs_.find(id);
    if (it == jobs_.end())
      return not_found("no job '" + id.substr(0, 64) + "' (finished jobs are kept for " +
                       std::to_string(options_.ttl_s / 60) + " minutes)");
    const std::shared_ptr<Job>& job = it->second;
    refs.keep.push_back(job);
    auto add = [&](size_t i) {
      const Item& item = job->items[i];
      refs.entries.push_back({item.download_name, item.result.data(), item.result.size(), item.finished_wall});
      refs.bytes += item.result.size();
    };
    if (index == kAllResults) {
      for (size_t i = 0; i < job->items.size(); ++i)
        if (job->items[i].state == ItemState::kDone) add(i);
    } else if (index >= job->items.size()) {
      return not_found("job " + id + " has " + std::to_string(job->items.size()) + " images; no image " +
                       std::to_string(index));
    } else if (job->items[index].state != ItemState::kDone) {
      return not_found("image " + std::to_string(index) + " of job " + id + " has no result");
    } else {
      add(index);
    }
  }
  if (refs.entries.empty()) return not_found("no finished results to put in a zip");
  return refs;
}

void JobManager::settle(Job& job, Item& item, ItemState state) {
  item.state = state;
  item.settled_at = Clock::now();
  if (state == ItemState::kDone) item.finished_wall = std::time(nullptr);
  item.memory.release();
  item.upload.clear();
  item.upload.shrink_to_fit();
  item.work.reset();
  if (job.unfinished > 0 && --job.unfinished == 0) job.finished_at = Clock::now();
}

bool JobManager::cancel(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return false;
  Job& job = *it->second;
  job.cancelled = true;
  for (Item& item : job.items) {
    if (item.state == ItemState::kWaiting) {
      settle(job, item, ItemState::kCancelled);
    } else if (item.state == ItemState::kInDevice && item.work &&
               scheduler_->cancel(item.work, "cancelled")) {
      --in_flight_;
      settle(job, item, ItemState::kCancelled);
    }
  }
  cv_.notify_all();
  return true;
}

bool JobManager::next_waiting(std::shared_ptr<Job>* job, size_t* index) {
  const size_t n = order_.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t pos = (rr_ + k) % n;
    auto it = jobs_.find(order_[pos]);
    if (it == jobs_.end() || it->second->cancelled) continue;
    auto& items = it->second->items;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].state == ItemState::kWaiting) {
        rr_ = pos + 1;  // next time, start after this job: jobs take turns
        *job = it->second;
        *index = i;
        return true;
      }
    }
  }
  return false;
}

void JobManager::feeder_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!finished_.empty()) {
      const Finished f = finished_.front();
      finished_.pop_front();
      auto it = jobs_.find(f.job_id);
      if (it == jobs_.end()) continue;
      std::shared_ptr<Job> job = it->second;
      std::shared_ptr<WorkItem> work = job->items[f.index].work;
      lock.unlock();
      // Encode off the device thread and without the lock.
      WorkOutcome out = work->take_outcome();
      const int w = out.image.width, h = out.image.height;
      Result<std::vector<uint8_t>> encoded =
          out.status.is_ok()
              ? image::encode_image(out.image,
                                    image::EncodeOptions{job->params.format, job->params.quality})
              : Result<std::vector<uint8_t>>(out.status);
      lock.lock();
      --in_flight_;
      Item& item = job->items[f.index];
      if (encoded.is_ok()) {
        item.result = std::move(encoded).value();
        item.width = w;
        item.height = h;
        item.queue_ms = out.queue_ms;
        item.inference_ms = out.timings.run.timings.upload_ms + out.timings.run.timings.compute_ms +
                            out.timings.run.timings.download_ms + out.timings.run.compile_ms;
        item.mode_used = out.mode_used;
        item.faces = out.faces;
        item.notes = std::move(out.notes);
        settle(*job, item, ItemState::kDone);
      } else {
        item.error = encoded.status();
        settle(*job, item, ItemState::kFailed);
      }
      continue;
    }
    if (stopping_ && in_flight_ == 0) break;

    std::shared_ptr<Job> job;
    size_t index = 0;
    if (!stopping_ && in_flight_ < options_.max_in_flight && scheduler_->has_room(1) &&
        next_waiting(&job, &index)) {
      Item& item = job->items[index];
      if (options_.memory) {
        // Not enough memory beside the requests in progress: wait for some to finish.
        item.memory = options_.memory->try_reserve(item.memory_bytes);
        if (!item.memory) {
          cv_.wait_for(lock, std::chrono::milliseconds(50));
          continue;
        }
      }
      item.state = ItemState::kInDevice;
      ++in_flight_;
      const std::string bytes = std::move(item.upload);
      lock.unlock();
      image::DecodeOptions decode;
      decode.max_pixels = options_.max_pixels;
      auto image =
          image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), decode);
      lock.lock();
      Item& again = job->items[index];
      if (job->cancelled || stopping_) {
        --in_flight_;
        if (stopping_) again.error = unavailable("the server shut down before this image was processed");
        settle(*job, again, ItemState::kCancelled);
        continue;
      }
      const Status fits = image.is_ok() ? check_output_size(image->width, image->height, job->params,
                                                            options_.max_pixels)
                                        : explain_decode_error(image.status());
      if (!fits.is_ok()) {
        --in_flight_;
        again.error = fits;
        settle(*job, again, ItemState::kFailed);
        continue;
      }
      auto work = std::make_shared<WorkItem>(job->model, std::move(image).value(), job->model->model().name,
                                             Clock::time_point::max(), job->stage);
      const std::string id = job->id;
      work->on_finished = [this, id, index](WorkItem&) {
        {
          std::lock_guard<std::mutex> l(mutex_);
          finished_.push_back({id, index});
        }
        cv_.notify_all();
      };
      again.work = work;
      switch (scheduler_->try_push(work)) {
        case DeviceScheduler::Push::kOk: break;
        case DeviceScheduler::Push::kFull:
          // Lost a race for the last slot: decode again later.
          --in_flight_;
          again.work.reset();
          again.upload = bytes;
          again.memory.release();
          again.state = ItemState::kWaiting;
          cv_.wait_for(lock, std::chrono::milliseconds(50));
          break;
        case DeviceScheduler::Push::kStopped:
          --in_flight_;
          again.error = unavailable("the server is shutting down");
          settle(*job, again, ItemState::kCancelled);
          break;
        case DeviceScheduler::Push::kNoDevice:
          --in_flight_;
          again.work.reset();
          again.error = unavailable("no device of the server is in rotation: every device failed");
          settle(*job, again, ItemState::kFailed);
          break;
      }
      continue;
    }
    expire_locked();
    // Woken by new jobs and finished images; the timeout re-checks room in the device
    // queue, which sync requests free without telling us.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void JobManager::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !feeder_.joinable()) return;
    stopping_ = true;
    for (auto& [id, job] : jobs_) {
      for (Item& item : job->items) {
        const bool waiting = item.state == ItemState::kWaiting;
        const bool queued = item.state == ItemState::kInDevice && item.work &&
                            scheduler_->cancel(item.work, "shutdown");
        if (waiting || queued) {
          if (queued) --in_flight_;
          item.error = unavailable("the server shut down before this image was processed");
          settle(*job, item, ItemState::kCancelled);
        }
      }
    }
  }
  cv_.notify_all();
  if (feeder_.joinable()) feeder_.join();
}

}  // namespace toonbox::server
