// Runs a planned folder as three overlapping stages joined by bounded queues:
//
//   decoder threads --decoded--> device worker(s) --results--> encoder threads
//
// With several devices (`--device cuda:0,1`, `cpu,cpu`) there is one device worker per
// device, each with its own device stage (model, compiled plans, memory budget), all
// pulling from the one decoded queue: a worker takes work only when it is free, so a
// slow or busy device simply takes less (work stealing without a scheduler). A worker
// whose device fails (lost, a device error, out of memory that halving did not fix) is
// taken out of rotation and its images are retried on the others (see DeviceHealth).
//
// Each device worker groups decoded images of identical size into calls of up to
// batch_size images, so a GPU sees real batches while the CPU threads decode the next
// images and encode the previous ones. A bad file fails alone: decoding, the device call
// (a failed batch is retried image by image) and writing are all per image, and the run
// goes on. Outputs are written atomically (temporary file, fsync, rename), so an
// interrupted run leaves only complete outputs.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/device_rotation.h"
#include "folder/folder_plan.h"
#include "image/image.h"
#include "image/image_io.h"

namespace toonbox::folder {

// What the device stage says about one image, for the per-image report: the mode used
// ("portrait", "whole"), faces stylized, and what was adapted and why.
struct ImageNote {
  std::string mode;
  int faces = 0;
  std::vector<std::string> notes;
};

// The device stage: images of one size in, one output each (any size; an empty image
// means "write nothing for this one") out, or an error for the whole call; it may fill
// `notes` (one per image). Called from one thread only.
using DeviceFn = std::function<Result<std::vector<image::Image>>(
    const std::vector<const image::Image*>& same_size, std::vector<ImageNote>* notes)>;

// The same with the planned image of each input alongside (same order): for a task that
// needs more than the decoded image (inpaint reads each image's mask by its name).
using PlannedDeviceFn = std::function<Result<std::vector<image::Image>>(
    const std::vector<const image::Image*>& same_size,
    const std::vector<const PlannedImage*>& planned, std::vector<ImageNote>* notes)>;

// One device worker: a name for reports ("cuda:1", "cpu#2") and its own device stage.
struct DeviceWorker {
  std::string id;
  DeviceFn fn;
  PlannedDeviceFn planned_fn;  // used instead of fn when set
};

// What says a device, rather than an image, is at fault, and when a worker is retired:
// engine/device_rotation.h (the server's device workers follow the same rule).
using toonbox::engine::DeviceHealth;

// Per device worker, for the summary and `bench`.
struct DeviceStats {
  std::string id;
  int images = 0;          // images it produced
  int retried_elsewhere = 0;  // images it handed back after failing them
  double busy_ms = 0;      // time in device calls
  std::map<int, int> device_calls;  // images per call -> calls
  std::string retired;     // why it was taken out of rotation; "" if it never was
};

struct RunnerOptions {
  int batch_size = 1;      // most images per device call
  int decode_threads = 1;
  int encode_threads = 1;
  // How long the device worker waits for a same-size partner before running a smaller
  // group: never long, since waiting only pays when decoding outpaces the device.
  int max_wait_ms = 20;
  image::DecodeOptions decode;
  image::EncodeOptions encode;
  // Set (e.g. by a signal handler) to stop: no new image is started, writes of results
  // already computed finish, nothing partial is left. Polled every few milliseconds.
  const std::atomic<bool>* stop = nullptr;
  // Called (from the failing worker's thread) when a device is taken out of rotation,
  // with the number of workers left; e.g. to tell the user at once.
  std::function<void(const DeviceStats& retired, int workers_left)> on_device_retired;
};

struct ImageResult {
  const PlannedImage* image = nullptr;
  Status status;           // ok, or why this image failed (the message names the file)
  int width = 0, height = 0;  // the output's size when ok
  int batch = 0;           // images in the device call that produced it (0: never ran)
  std::string device;      // the device worker that produced it ("" if none did)
  int attempts = 0;        // device workers that tried it (more than 1: retried elsewhere)
  ImageNote note;          // from the device stage, when it said anything
  double decode_ms = 0, device_ms = 0, encode_ms = 0;
  double total_ms = 0;     // from the start of decoding to the completed rename
};

struct RunSummary {
  int total = 0, ok = 0, failed = 0;
  int not_run = 0;         // left for a later run because the run was stopped
  bool stopped = false;
  double wall_ms = 0;
  // Summed busy time per stage; their sum over wall_ms above 1 is the overlap gained.
  double decode_busy_ms = 0, device_busy_ms = 0, encode_busy_ms = 0;
  std::map<int, int> device_calls;  // images per call -> number of calls (all devices)
  std::vector<ImageResult> failures;  // in completion order
  std::vector<DeviceStats> devices;   // one per device worker, in the order given
};

// Sets options->decode_threads and encode_threads for a device stage on the GPU or the
// CPU of a machine with `cores` cores, for options->encode's format (folders and `bench`'s
// pipeline mode share the rule).
void choose_stage_threads(bool device_is_gpu, int cores, RunnerOptions* options);

// on_result is called once per image that was attempted (never for not_run ones), one
// call at a time, from the pipeline's threads; keep it short.
RunSummary run_folder(const std::vector<PlannedImage>& todo, const DeviceFn& device,
                      const RunnerOptions& options, const std::function<void(const ImageResult&)>& on_result);
RunSummary run_folder_planned(const std::vector<PlannedImage>& todo, const PlannedDeviceFn& device,
                              const RunnerOptions& options,
                              const std::function<void(const ImageResult&)>& on_result);

// The same with one device worker per entry (at most 64), all fed from one queue. The
// first runs on the calling thread, the others on their own.
RunSummary run_folder(const std::vector<PlannedImage>& todo, const std::vector<DeviceWorker>& devices,
                      const RunnerOptions& options, const std::function<void(const ImageResult&)>& on_result);

}  // namespace toonbox::folder
