#include "engine/device_list.h"

#include <algorithm>
#include <map>
#include <set>

#include "backend/cuda_plugin_loader.h"

namespace toonbox::engine {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Every GPU the driver shows (CUDA_VISIBLE_DEVICES applies), or why there is none.
Result<int> visible_gpus() {
  const backend::CudaPluginLoad& plugin = backend::load_cuda_plugin();
  if (!plugin.api) return unavailable("cuda:all: no GPU can be used: " + plugin.failure);
  cuda::CudaRuntimeInfo info;
  Status probed = plugin.api->probe(&info);
  if (!probed.is_ok()) return Status(probed.code(), "cuda:all: " + probed.message());
  if (info.devices.empty()) return unavailable("cuda:all: no CUDA-capable device visible");
  return static_cast<int>(info.devices.size());
}

}  // namespace

Result<std::vector<std::string>> expand_device_list(const std::string& spec) {
  if (spec.find(',') == std::string::npos && spec != "cuda:all") return std::vector<std::string>{spec};
  std::vector<std::string> out;
  bool in_cuda_list = false;  // a bare number continues "cuda:0,1"
  for (const std::string& part : split_commas(spec)) {
    if (part == "cuda:all") {
      TB_ASSIGN_OR_RETURN(int n, visible_gpus());
      for (int i = 0; i < n; ++i) out.push_back("cuda:" + std::to_string(i));
      in_cuda_list = false;
    } else if (part == "cpu") {
      out.push_back(part);
      in_cuda_list = false;
    } else if (part == "cuda") {
      out.push_back("cuda:0");
      in_cuda_list = true;
    } else if (part.rfind("cuda:", 0) == 0 && all_digits(part.substr(5))) {
      out.push_back("cuda:" + std::to_string(std::stoi(part.substr(5))));
      in_cuda_list = true;
    } else if (in_cuda_list && all_digits(part)) {
      out.push_back("cuda:" + std::to_string(std::stoi(part)));
    } else {
      return invalid_argument("device list '" + spec.substr(0, 200) + "': '" + part.substr(0, 40) +
                              "' is not a device (a list takes cpu, cuda:N, N after cuda:M, or cuda:all; "
                              "auto stands alone)");
    }
  }
  std::set<std::string> gpus;
  for (const std::string& d : out)
    if (d != "cpu" && !gpus.insert(d).second)
      return invalid_argument("device list '" + spec.substr(0, 200) + "' names " + d +
                              " twice (one worker per GPU: it already has its own queue share)");
  if (out.size() > static_cast<size_t>(kMaxDeviceWorkers))
    return invalid_argument("device list '" + spec.substr(0, 200) + "' has " + std::to_string(out.size()) +
                            " entries; at most " + std::to_string(kMaxDeviceWorkers));
  return out;
}

std::vector<std::string> device_worker_ids(const std::vector<std::string>& devices) {
  std::map<std::string, int> total, seen;
  for (const auto& d : devices) ++total[d];
  std::vector<std::string> ids;
  for (const auto& d : devices) ids.push_back(total[d] > 1 ? d + "#" + std::to_string(++seen[d]) : d);
  return ids;
}

Result<std::vector<DeviceSelection>> with_gpu_streams(const std::vector<DeviceSelection>& devices, int streams) {
  if (streams < 1 || streams > kMaxGpuStreams)
    return invalid_argument("streams per GPU must be 1.." + std::to_string(kMaxGpuStreams) + ", got " +
                            std::to_string(streams));
  std::vector<DeviceSelection> out;
  for (const DeviceSelection& d : devices) {
    out.push_back(d);
    for (int i = 1; d.is_gpu && i < streams; ++i) {
      TB_ASSIGN_OR_RETURN(DeviceSelection again, select_device(d.backend->device().id, precision_name(d.precision)));
      again.reason = d.reason;  // the same choice, made once
      out.push_back(std::move(again));
    }
  }
  if (out.size() > static_cast<size_t>(kMaxDeviceWorkers))
    return invalid_argument(std::to_string(out.size()) + " device workers (devices x streams); at most " +
                            std::to_string(kMaxDeviceWorkers));
  return out;
}

std::vector<std::string> selection_ids(const std::vector<DeviceSelection>& devices) {
  std::vector<std::string> ids;
  for (const DeviceSelection& d : devices) ids.push_back(d.backend->device().id);
  return device_worker_ids(ids);
}

std::string devices_summary(const std::vector<DeviceSelection>& devices) {
  std::string out;
  for (size_t i = 0; i < devices.size();) {
    size_t same = 1;  // with_gpu_streams puts a GPU's streams next to each other
    while (i + same < devices.size() && devices[i].is_gpu &&
           devices[i + same].backend->device().id == devices[i].backend->device().id)
      ++same;
    if (!out.empty()) out += "; ";
    out += devices[i].summary();
    if (same > 1) out += ", " + std::to_string(same) + " streams";
    i += same;
  }
  return out;
}

Result<std::vector<DeviceSelection>> select_devices(const std::vector<std::string>& devices,
                                                    const std::string& precision) {
  std::vector<DeviceSelection> out;
  for (const std::string& d : devices) {
    TB_ASSIGN_OR_RETURN(DeviceSelection s, select_device(d, precision));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace toonbox::engine
