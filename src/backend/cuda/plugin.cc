// The plugin's only exported symbol (see exports.map): the table of entry points.
#include "backend/cuda/conv_algo_cache.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/plugin_api.h"
#include "backend/cuda/smoke_test.h"

namespace toonbox::cuda {

namespace {

Status api_probe(CudaRuntimeInfo* info) { return probe_cuda(info); }

Result<std::unique_ptr<backend::Backend>> api_create_backend(int device_index) {
  return create_cuda_backend(device_index);
}

Status api_smoke_test(int device_index, CudaSmokeResult* result) {
  return cuda_smoke_test(device_index, result);
}

void api_stats(CudaPluginStats* out) {
  Counters& c = counters();
  out->conv_algo_searches = c.conv_algo_searches.load();
  out->conv_algo_cache_hits = c.conv_algo_cache_hits.load();
  out->conv_algo_cache_entries = static_cast<int64_t>(ConvAlgoCache::instance().size());
  out->convs_cudnn = c.convs_cudnn.load();
  out->convs_cublas = c.convs_cublas.load();
  out->convs_direct = c.convs_direct.load();
  out->convs_cudnn_graph = c.convs_cudnn_graph.load();
  out->convs_fused_epilogue = c.convs_fused_epilogue.load();
  out->conv_algo_disk_loaded = c.conv_algo_disk_loaded.load();
  out->graph_captures = c.graph_captures.load();
  out->graph_launches = c.graph_launches.load();
  out->conv_choices_timed = c.conv_choices_timed.load();
  out->conv_choices_cached = c.conv_choices_cached.load();
}

Status api_memory_info(int device_index, size_t* free_bytes, size_t* total_bytes) {
  return cuda_memory_info(device_index, free_bytes, total_bytes);
}

}  // namespace

}  // namespace toonbox::cuda

extern "C" __attribute__((visibility("default"))) const toonbox::cuda::PluginApi* toonbox_cuda_plugin_api() {
  static const toonbox::cuda::PluginApi api{
      toonbox::cuda::kPluginAbiVersion, &toonbox::cuda::api_probe, &toonbox::cuda::api_create_backend,
      &toonbox::cuda::api_smoke_test, &toonbox::cuda::api_stats, &toonbox::cuda::api_memory_info};
  return &api;
}
