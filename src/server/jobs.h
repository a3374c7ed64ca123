// Jobs: many images in one request, processed in the background; clients poll
// GET /api/v1/jobs/{id} for progress and fetch each result when it is done.
//
// One feeder thread per server moves jobs' images into the device queue a few at a time
// (decoding each just before it is queued, so memory holds a few decoded images, not a
// job's worth), and encodes finished ones. Job images never take more than `max_in_flight`
// of the device queue, so single-image requests still get through while a big job runs.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <optional>

#include <nlohmann/json.hpp>

#include "server/device_scheduler.h"
#include "server/memory_budget.h"
#include "server/request_params.h"
#include "server/results_zip.h"

namespace toonbox::server {

struct JobOptions {
  int max_images_per_job = 64;
  int max_active_jobs = 8;   // jobs with unfinished images
  int max_stored_jobs = 64;  // finished jobs are kept (for their results) up to this many
  int ttl_s = 1800;          // a finished job is forgotten this long after it finished
  size_t max_stored_bytes = size_t{1} << 30;  // results kept; the oldest finished jobs go first
  int64_t max_pixels = 50'000'000;
  int max_in_flight = 4;     // job images in the device queue or running at once
  // Memory admission, as for single images (memory_budget.h); no budget when null.
  MemoryBudget* memory = nullptr;
  size_t max_request_bytes = SIZE_MAX;
  int tile_size = 0;
};

struct Upload {
  std::string filename;  // as the client sent it; for display and download names only
  std::string bytes;
};

class JobManager {
 public:
  JobManager(DeviceScheduler* scheduler, Metrics* metrics, JobOptions options);
  ~JobManager();

  // Returns the job's id. `*busy` is set when the job was refused because too many jobs
  // are active or stored (the caller answers 429); other errors are the request's (no
  // images: 400, too many: 413). Images whose header is corrupt or over the pixel limit
  // fail at once, each with its own error; the others run.
  Result<std::string> create(const CartoonizeParams& params,
                             std::shared_ptr<pipeline::ModelRunner> model, PipelineStage stage,
                             std::vector<Upload> uploads, bool* busy);
  // nullopt: no such job (or it expired).
  std::optional<nlohmann::json> describe(const std::string& id, const std::string& url_prefix);
  struct ResultFile {
    std::vector<uint8_t> bytes;
    std::string mime, filename;
  };
  Result<ResultFile> result(const std::string& id, size_t index);
  // Finished results to zip: (job id, index) pairs, an index of kAllResults meaning every
  // finished image of that job. `keep` holds the jobs, so `entries`' bytes stay valid
  // after the jobs expire. A job that is unknown, or an index that is not finished, is
  // the request's error (404 naming it); so is a selection with nothing finished.
  static constexpr size_t kAllResults = SIZE_MAX;
  struct ResultRefs {
    std::vector<std::shared_ptr<const void>> keep;
    std::vector<ZipEntry> entries;
    size_t bytes = 0;
  };
  Result<ResultRefs> finished_results(const std::vector<std::pair<std::string, size_t>>& wanted);
  // Cancels the job's images that have not started; false if there is no such job.
  bool cancel(const std::string& id);

  // Cancels images not yet started, waits for running ones, stops the feeder.
  void shutdown();

  int active_jobs() const;
  int stored_jobs() const;
  const JobOptions& options() const { return options_; }

 private:
  enum class ItemState { kWaiting, kInDevice, kDone, kFailed, kCancelled };
  struct Item {
    std::string source_name;
    std::string download_name;
    std::string upload;  // freed once decoded
    size_t memory_bytes = 0;            // estimated from the header
    MemoryBudget::Reservation memory;  // held from decoding to the encoded result
    ItemState state = ItemState::kWaiting;
    Status error;
    std::shared_ptr<WorkItem> work;
    std::vector<uint8_t> result;  // never changed once the item is done
    Clock::time_point settled_at{};  // when it finished, failed or was cancelled
    std::time_t finished_wall = 0;   // wall-clock time of the result, for the zip's dates
    int width = 0, height = 0;
    double inference_ms = 0, queue_ms = 0;
    pipeline::CartoonMode mode_used = pipeline::CartoonMode::kWhole;
    int faces = 0;
    std::vector<std::string> notes;
  };
  struct Job {
    std::string id;
    CartoonizeParams params;
    std::shared_ptr<pipeline::ModelRunner> model;
    PipelineStage stage;
    std::vector<Item> items;
    bool cancelled = false;
    Clock::time_point created, finished_at;
    size_t unfinished = 0;
  };
  struct Finished {
    std::string job_id;
    size_t index;
  };

  void feeder_loop();
  // With mutex_ held: the next waiting image, round-robin over jobs.
  bool next_waiting(std::shared_ptr<Job>* job, size_t* index);
  void settle(Job& job, Item& item, ItemState state);  // mutex_ held
  int active_jobs_locked() const;                      // mutex_ held
  void expire_locked();

  DeviceScheduler* scheduler_;
  Metrics* metrics_;
  JobOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> order_;  // creation order, for round-robin and expiry
  size_t rr_ = 0;
  std::deque<Finished> finished_;
  int in_flight_ = 0;
  bool stopping_ = false;
  std::thread feeder_;
};

}  // namespace toonbox::server
