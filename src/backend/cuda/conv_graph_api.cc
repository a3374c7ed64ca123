#include "backend/cuda/conv_graph_api.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend/cuda/conv_algo_cache.h"
#include "backend/cuda/conv_common.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/pad.h"

namespace toonbox::cuda {

using graph::Activation;
using graph::Conv2DParams;
using graph::Graph;
using graph::Node;
using graph::UnaryOp;

namespace {

// Engines timed per variant: the heuristics' order is good, the first few hold the winner.
constexpr int kMaxTimedEngines = 4;
// Of those, engines that compile their kernel at run time (NVRTC, cuDNN's runtime fusion
// engines): each finalize costs a compile. Measured on the H200 (2026-12-02, White-box
// fp16, `tools/gpu_check.sh speed`): timing one of them per variant made the first run of
// a shape 1.33 / 1.42 / 2.90 s at 512² / 1024² / 2048², timing none 0.30 / 0.24 / 0.39 s,
// for warm compute within 4-7 % (0.82 vs 0.85, 2.69 vs 2.87, 10.6 vs 11.0 ms). A folder of
// mixed sizes or portrait heads pays that compile per shape, so none is the default;
// TOONBOX_CUDA_RUNTIME_COMPILED=N times up to N of them (for a long run of one shape).
int max_runtime_compiled() {
  static const int n = [] {
    const char* v = std::getenv("TOONBOX_CUDA_RUNTIME_COMPILED");
    if (v == nullptr || *v < '0' || *v > '9' || v[1] != '\0') return 0;
    return *v - '0';
  }();
  return n;
}
constexpr int kTimedRuns = 3;

// TOONBOX_CUDA_CONV_VARIANTS=fused (tests): only the fused variants, so their engines are
// checked whatever the timing would have picked; =pad: an asymmetrically padded conv only
// with our pad kernel (its packed and one-channel forms). Read at each compile (tests
// scope it).
bool conv_variants_only(const char* which) {
  const char* only = std::getenv("TOONBOX_CUDA_CONV_VARIANTS");
  return only != nullptr && std::string(only) == which;
}
bool fused_variants_only() { return conv_variants_only("fused"); }

// Unique ids of the tensors in the operation graph (and the variant pack).
constexpr int64_t kUidX = 1, kUidW = 2, kUidY = 3, kUidBias = 4, kUidConvOut = 5, kUidBiased = 6;

// An owned cudnnBackendDescriptor_t.
class Desc {
 public:
  Desc() = default;
  ~Desc() { reset(); }
  Desc(Desc&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  Desc& operator=(Desc&& o) noexcept {
    if (this != &o) {
      reset();
      d_ = o.d_;
      o.d_ = nullptr;
    }
    return *this;
  }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;
  void reset() {
    if (d_) cudnnBackendDestroyDescriptor(d_);
    d_ = nullptr;
  }
  cudnnBackendDescriptor_t get() const { return d_; }
  cudnnBackendDescriptor_t* addr() { return &d_; }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

Result<Desc> make_desc(cudnnBackendDescriptorType_t type) {
  Desc d;
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendCreateDescriptor(type, d.addr()));
  return d;
}

template <typename T>
cudnnStatus_t set(const Desc& d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count,
                  const T* values) {
  return cudnnBackendSetAttribute(d.get(), name, type, count, values);
}

cudnnStatus_t set_desc(const Desc& d, cudnnBackendAttributeName_t name, const Desc& value) {
  cudnnBackendDescriptor_t v = value.get();
  return cudnnBackendSetAttribute(d.get(), name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &v);
}

// dims are always N, C, H, W; the strides say the layout.
Result<Desc> tensor_desc(int64_t uid, cudnnDataType_t dtype, const int64_t dims[4], bool nhwc, bool is_virtual) {
  TB_ASSIGN_OR_RETURN(Desc d, make_desc(CUDNN_BACKEND_TENSOR_DESCRIPTOR));
  const int64_t n = dims[0], c = dims[1], h = dims[2], w = dims[3];
  (void)n;
  const int64_t strides_nhwc[4] = {h * w * c, 1, w * c, c};
  const int64_t strides_nchw[4] = {c * h * w, h * w, w, 1};
  const int64_t alignment = 16;
  const bool virt = is_virtual;
  TB_CUDNN_RETURN_IF_ERROR(set(d, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &dtype));
  TB_CUDNN_RETURN_IF_ERROR(set(d, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dims));
  TB_CUDNN_RETURN_IF_ERROR(
      set(d, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, nhwc ? strides_nhwc : strides_nchw));
  TB_CUDNN_RETURN_IF_ERROR(set(d, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid));
  TB_CUDNN_RETURN_IF_ERROR(set(d, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment));
  TB_CUDNN_RETURN_IF_ERROR(set(d, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &virt));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(d.get()));
  return d;
}

Result<Desc> pointwise_op(cudnnPointwiseMode_t mode, const Desc& x, const Desc* b, const Desc& y,
                          const Activation* act) {
  TB_ASSIGN_OR_RETURN(Desc pw, make_desc(CUDNN_BACKEND_POINTWISE_DESCRIPTOR));
  const cudnnDataType_t prec = CUDNN_DATA_FLOAT;
  TB_CUDNN_RETURN_IF_ERROR(set(pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode));
  TB_CUDNN_RETURN_IF_ERROR(set(pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &prec));
  if (act != nullptr && act->op == UnaryOp::kLeakyRelu) {
    const double slope = act->alpha;
    TB_CUDNN_RETURN_IF_ERROR(set(pw, CUDNN_ATTR_POINTWISE_RELU_LOWER_CLIP_SLOPE, CUDNN_TYPE_DOUBLE, 1, &slope));
  }
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(pw.get()));
  TB_ASSIGN_OR_RETURN(Desc op, make_desc(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, x));
  if (b != nullptr) TB_CUDNN_RETURN_IF_ERROR(set_desc(op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, *b));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, y));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(op.get()));
  return op;
}

// The activations cuDNN's pointwise modes compute exactly as our reference does (Clip's
// RELU_FWD clip semantics are not relied on: it runs in our epilogue kernel).
bool fusable_activation(const Activation& a, cudnnPointwiseMode_t* mode) {
  switch (a.op) {
    case UnaryOp::kRelu:
    case UnaryOp::kLeakyRelu: *mode = CUDNN_POINTWISE_RELU_FWD; return true;
    case UnaryOp::kTanh: *mode = CUDNN_POINTWISE_TANH_FWD; return true;
    case UnaryOp::kSigmoid: *mode = CUDNN_POINTWISE_SIGMOID_FWD; return true;
    default: return false;
  }
}

struct Variant {
  bool fused = false;         // bias and activation inside the graph
  bool explicit_pad = false;  // our pad kernel for the excess, symmetric cuDNN padding
};

// Every descriptor of one variant's operation graph and its engine configs. cuDNN may
// refer to them from the execution plans made of them, so they live as long as the step.
struct GraphParts {
  Variant variant;
  std::vector<Desc> descs;  // tensors, the convolution, the operations
  Desc graph;
  std::vector<Desc> cfgs;   // the heuristics' engine configs, best first
};

// One candidate engine, timed.
struct Candidate {
  Variant variant;
  int index = 0;  // position in the heuristics' list (mode A): what the cache stores
  int64_t global_index = -1;
  size_t workspace = 0;
  float time_ms = 0;
  Desc plan;
};

class GraphConvStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const Node& node, void* scratch);
  Status run(const StepContext& ctx) override;
  size_t workspace_bytes() const override { return workspace_; }
  void count_as_chosen() const override {
    counters().convs_cudnn.fetch_add(1);
    counters().convs_cudnn_graph.fetch_add(1);
    if (variant_.fused && epilogue_.needed()) counters().convs_fused_epilogue.fetch_add(1);
  }

 private:
  // A new GraphParts for `v` (kept in parts_), its engine configs listed.
  Result<GraphParts*> build_graph(const BuildContext& ctx, Variant v);
  Status heuristic_configs(GraphParts* parts);
  Status engine_allowed(const Desc& cfg, int64_t* global_index, bool* runtime_compiled = nullptr) const;
  Result<Desc> finalize_plan(cudnnHandle_t handle, const Desc& cfg);
  Status search(const BuildContext& ctx, GraphParts* parts, std::vector<Candidate>* timed);
  Result<float> time_plan(const BuildContext& ctx, const Desc& plan, size_t workspace);
  Result<Desc> variant_pack(void* workspace) const;
  cudaError_t pad_input(cudaStream_t stream) const {
    return by_type(is_half(precision_), [&](auto tag) {
      using T = decltype(tag);
      return launch_pad<T>(static_cast<const T*>(x_), static_cast<T*>(padded_), pad_dims_, stream);
    });
  }
  void* x_for_cudnn() const { return variant_.explicit_pad ? padded_ : const_cast<void*>(x_); }

  Precision precision_ = Precision::kFloat32;
  bool tf32_ = false;
  ConvShape s_;
  Conv2DParams p_;
  Variant variant_;
  const void* x_ = nullptr;
  void* y_ = nullptr;
  void* padded_ = nullptr;
  PadDims pad_dims_;
  DeviceBuffer weights_, bias_;
  Epilogue epilogue_;  // run by us when the variant is not fused
  std::vector<std::unique_ptr<GraphParts>> parts_;
  Desc plan_;
  size_t workspace_ = 0;
  int64_t global_index_ = -1;
  Desc pack_;
  void* pack_workspace_ = nullptr;  // the workspace pointer pack_ was built with
  bool pack_built_ = false;
};

Result<GraphParts*> GraphConvStep::build_graph(const BuildContext& ctx, Variant v) {
  auto parts = std::make_unique<GraphParts>();
  parts->variant = v;
  const cudnnDataType_t dtype = is_half(precision_) ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  int pre_h = p_.pad_top, post_h = p_.pad_bottom, pre_w = p_.pad_left, post_w = p_.pad_right;
  int in_h = s_.h, in_w = s_.w;
  if (v.explicit_pad) {
    const int sym_h = std::min(pre_h, post_h), sym_w = std::min(pre_w, post_w);
    in_h += (pre_h - sym_h) + (post_h - sym_h);
    in_w += (pre_w - sym_w) + (post_w - sym_w);
    pad_dims_ = PadDims{s_.n, s_.c, s_.h, s_.w, pre_h - sym_h, pre_w - sym_w, in_h, in_w, s_.nhwc};
    pre_h = post_h = sym_h;
    pre_w = post_w = sym_w;
  }
  const int64_t xd[4] = {s_.n, s_.c, in_h, in_w};
  const int64_t wd[4] = {s_.k, s_.cg, s_.r, s_.s};
  const int64_t yd[4] = {s_.n, s_.k, s_.out_h, s_.out_w};
  const int64_t bd[4] = {1, s_.k, 1, 1};

  TB_ASSIGN_OR_RETURN(Desc x, tensor_desc(kUidX, dtype, xd, s_.nhwc, false));
  TB_ASSIGN_OR_RETURN(Desc w, tensor_desc(kUidW, dtype, wd, s_.nhwc, false));  // KRSC strides == NHWC's
  TB_ASSIGN_OR_RETURN(Desc y, tensor_desc(kUidY, dtype, yd, s_.nhwc, false));

  TB_ASSIGN_OR_RETURN(Desc conv, make_desc(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR));
  const cudnnDataType_t comp = CUDNN_DATA_FLOAT;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  const int64_t spatial = 2;
  const int64_t dil[2] = {p_.dilation_h, p_.dilation_w};
  const int64_t str[2] = {p_.stride_h, p_.stride_w};
  const int64_t pre[2] = {pre_h, pre_w};
  const int64_t post[2] = {post_h, post_w};
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &comp));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &spatial));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, 2, dil));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, 2, str));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 2, pre));
  TB_CUDNN_RETURN_IF_ERROR(set(conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, 2, post));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(conv.get()));

  const bool has_epilogue = v.fused && epilogue_.needed();
  Desc conv_out_virtual;
  if (has_epilogue) {
    TB_ASSIGN_OR_RETURN(conv_out_virtual, tensor_desc(kUidConvOut, CUDNN_DATA_FLOAT, yd, s_.nhwc, true));
  }
  const Desc& conv_y = has_epilogue ? conv_out_virtual : y;

  TB_ASSIGN_OR_RETURN(Desc conv_op, make_desc(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR));
  const float alpha = 1.f, beta = 0.f;
  TB_CUDNN_RETURN_IF_ERROR(set_desc(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, x));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, w));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, conv_y));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv));
  TB_CUDNN_RETURN_IF_ERROR(set(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha));
  TB_CUDNN_RETURN_IF_ERROR(set(conv_op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(conv_op.get()));

  std::vector<Desc> ops, keep;
  ops.push_back(std::move(conv_op));
  if (has_epilogue) {
    const bool act = p_.activation.op != UnaryOp::kIdentity;
    cudnnPointwiseMode_t act_mode = CUDNN_POINTWISE_RELU_FWD;
    if (act && !fusable_activation(p_.activation, &act_mode)) return unimplemented("activation not fusable");
    Desc biased_virtual, bias_desc;
    const Desc* after_bias = &conv_out_virtual;
    if (bias_.get() != nullptr) {
      TB_ASSIGN_OR_RETURN(bias_desc, tensor_desc(kUidBias, CUDNN_DATA_FLOAT, bd, s_.nhwc, false));
      if (act) {
        TB_ASSIGN_OR_RETURN(biased_virtual, tensor_desc(kUidBiased, CUDNN_DATA_FLOAT, yd, s_.nhwc, true));
      }
      const Desc& bias_y = act ? biased_virtual : y;
      TB_ASSIGN_OR_RETURN(Desc add, pointwise_op(CUDNN_POINTWISE_ADD, conv_out_virtual, &bias_desc, bias_y, nullptr));
      ops.push_back(std::move(add));
      after_bias = &biased_virtual;
    }
    if (act) {
      TB_ASSIGN_OR_RETURN(Desc a, pointwise_op(act_mode, *after_bias, nullptr, y, &p_.activation));
      ops.push_back(std::move(a));
    }
    keep.push_back(std::move(biased_virtual));
    keep.push_back(std::move(bias_desc));
  }

  TB_ASSIGN_OR_RETURN(Desc graph, make_desc(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR));
  std::vector<cudnnBackendDescriptor_t> raw;
  for (const Desc& op : ops) raw.push_back(op.get());
  cudnnHandle_t handle = ctx.step.cudnn;
  TB_CUDNN_RETURN_IF_ERROR(set(graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                               static_cast<int64_t>(raw.size()), raw.data()));
  TB_CUDNN_RETURN_IF_ERROR(set(graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(graph.get()));
  parts->graph = std::move(graph);
  for (Desc* d : {&x, &w, &y, &conv, &conv_out_virtual}) parts->descs.push_back(std::move(*d));
  for (Desc& op : ops) parts->descs.push_back(std::move(op));
  for (Desc& d : keep) parts->descs.push_back(std::move(d));
  TB_RETURN_IF_ERROR(heuristic_configs(parts.get()));
  parts_.push_back(std::move(parts));
  return parts_.back().get();
}

Status GraphConvStep::heuristic_configs(GraphParts* parts) {
  TB_ASSIGN_OR_RETURN(Desc heur, make_desc(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR));
  const cudnnBackendHeurMode_t mode = CUDNN_HEUR_MODE_A;
  TB_CUDNN_RETURN_IF_ERROR(set_desc(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, parts->graph));
  TB_CUDNN_RETURN_IF_ERROR(set(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(heur.get()));
  int64_t count = 0;
  TB_CUDNN_RETURN_IF_ERROR(
      cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, nullptr));
  std::vector<Desc>& cfgs = parts->cfgs;
  if (count <= 0) return Status::ok();
  std::vector<cudnnBackendDescriptor_t> raw;
  for (int64_t i = 0; i < count; ++i) {
    TB_ASSIGN_OR_RETURN(Desc d, make_desc(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    raw.push_back(d.get());
    cfgs.push_back(std::move(d));
  }
  int64_t returned = 0;
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                                    CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &returned, raw.data()));
  cfgs.resize(static_cast<size_t>(std::clamp<int64_t>(returned, 0, count)));
  parts->descs.push_back(std::move(heur));
  return Status::ok();
}

// kUnimplemented when the engine's numerics are not what the precision promises.
Status GraphConvStep::engine_allowed(const Desc& cfg, int64_t* global_index, bool* runtime_compiled) const {
  TB_ASSIGN_OR_RETURN(Desc engine, make_desc(CUDNN_BACKEND_ENGINE_DESCRIPTOR));
  cudnnBackendDescriptor_t e = engine.get();
  int64_t n = 0;
  TB_CUDNN_RETURN_IF_ERROR(
      cudnnBackendGetAttribute(cfg.get(), CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &e));
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  int64_t count = 0;
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                                                    CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &count, notes));
  *global_index = -1;
  (void)cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, global_index);
  if (runtime_compiled != nullptr) {
    cudnnBackendBehaviorNote_t behavior[CUDNN_BEHAVIOR_NOTE_TYPE_COUNT];
    int64_t nb = 0;
    *runtime_compiled = false;
    if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE,
                                 CUDNN_BEHAVIOR_NOTE_TYPE_COUNT, &nb, behavior) == CUDNN_STATUS_SUCCESS) {
      for (int64_t i = 0; i < nb; ++i)
        if (behavior[i] == CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION) *runtime_compiled = true;
    }
  }
  for (int64_t i = 0; i < count; ++i) {
    const cudnnBackendNumericalNote_t note = notes[i];
    if (note == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION) return unimplemented("reduced-precision reduction");
    if (!is_half(precision_) && !tf32_ &&
        (note == CUDNN_NUMERICAL_NOTE_TENSOR_CORE || note == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS))
      return unimplemented("TF32 tensor cores in strict fp32");
  }
  return Status::ok();
}

Result<Desc> GraphConvStep::finalize_plan(cudnnHandle_t handle, const Desc& cfg) {
  TB_ASSIGN_OR_RETURN(Desc plan, make_desc(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR));
  TB_CUDNN_RETURN_IF_ERROR(set(plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle));
  TB_CUDNN_RETURN_IF_ERROR(set_desc(plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, cfg));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(plan.get()));
  return plan;
}

Result<Desc> GraphConvStep::variant_pack(void* workspace) const {
  TB_ASSIGN_OR_RETURN(Desc pack, make_desc(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR));
  std::vector<int64_t> uids = {kUidX, kUidW, kUidY};
  std::vector<void*> ptrs = {x_for_cudnn(), weights_.get(), y_};
  if (variant_.fused && bias_.get() != nullptr && epilogue_.needed()) {
    uids.push_back(kUidBias);
    ptrs.push_back(bias_.get());
  }
  TB_CUDNN_RETURN_IF_ERROR(set(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64,
                               static_cast<int64_t>(uids.size()), uids.data()));
  TB_CUDNN_RETURN_IF_ERROR(set(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
                               static_cast<int64_t>(ptrs.size()), ptrs.data()));
  TB_CUDNN_RETURN_IF_ERROR(set(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace));
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendFinalize(pack.get()));
  return pack;
}

// Median of kTimedRuns executions after one warm-up, on the real buffers (with the pad
// kernel when the variant has one: what the step's run() does).
Result<float> GraphConvStep::time_plan(const BuildContext& ctx, const Desc& plan, size_t workspace) {
  Workspace& ws = *ctx.step.workspace;
  TB_RETURN_IF_ERROR(ws.reserve(workspace));
  TB_ASSIGN_OR_RETURN(Desc pack, variant_pack(ws.get()));
  TB_ASSIGN_OR_RETURN(UniqueEvent start, create_event());
  TB_ASSIGN_OR_RETURN(UniqueEvent stop, create_event());
  cudaStream_t stream = ctx.step.stream;
  cudnnHandle_t handle = ctx.step.cudnn;
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendExecute(handle, plan.get(), pack.get()));
  std::vector<float> times;
  for (int i = 0; i < kTimedRuns; ++i) {
    TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start.get(), stream));
    // A variant with our pad kernel pays for it every run, so its time includes it (left
    // out, a padded variant looked as fast as the unpadded one and won at random: the
    // 512x512x64 stride-2 conv at 0.136 ms instead of 0.034).
    if (variant_.explicit_pad) TB_CUDA_RETURN_IF_ERROR(pad_input(stream));
    TB_CUDNN_RETURN_IF_ERROR(cudnnBackendExecute(handle, plan.get(), pack.get()));
    TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(stop.get(), stream));
    TB_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(stop.get()));
    float ms = 0;
    TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Times up to kMaxTimedEngines allowed engines of one variant's graph (appended to `timed`).
Status GraphConvStep::search(const BuildContext& ctx, GraphParts* parts, std::vector<Candidate>* timed) {
  cudnnHandle_t handle = ctx.step.cudnn;
  const std::vector<Desc>& cfgs = parts->cfgs;
  variant_ = parts->variant;  // what variant_pack() and the pad read while timing
  if (variant_.explicit_pad) TB_CUDA_RETURN_IF_ERROR(pad_input(ctx.step.stream));  // the timed runs read it
  int found = 0, compiled = 0;
  // Forcing the fused variants also lets one runtime-compiled engine be timed: on the
  // H200 (cuDNN 9.19) the fused fp16 engines are runtime-compiled ones, which the default
  // does not time, and the forced mode exists to check those engines.
  const int compiled_limit = fused_variants_only() ? std::max(1, max_runtime_compiled()) : max_runtime_compiled();
  for (size_t i = 0; i < cfgs.size() && found < kMaxTimedEngines; ++i) {
    Candidate c;
    c.variant = parts->variant;
    c.index = static_cast<int>(i);
    bool rtc = false;
    if (!engine_allowed(cfgs[i], &c.global_index, &rtc).is_ok()) continue;
    if (rtc && compiled >= compiled_limit) continue;
    compiled += rtc ? 1 : 0;
    auto plan = finalize_plan(handle, cfgs[i]);
    if (!plan.is_ok()) continue;
    int64_t ws = 0, n = 0;
    if (cudnnBackendGetAttribute(plan.value().get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1,
                                 &n, &ws) != CUDNN_STATUS_SUCCESS || ws < 0)
      continue;
    c.workspace = static_cast<size_t>(ws);
    auto t = time_plan(ctx, plan.value(), c.workspace);
    if (!t.is_ok()) {  // an engine that fails to run (or whose workspace does not fit) is skipped
      (void)cudaGetLastError();
      continue;
    }
    c.time_ms = t.value();
    c.plan = std::move(plan).value();
    timed->push_back(std::move(c));
    ++found;
  }
  return found > 0 ? Status::ok() : unimplemented(std::to_string(cfgs.size()) + " engines listed, none ran");
}

Status GraphConvStep::build(const BuildContext& ctx, const Node& node, void* scratch) {
  const Graph& g = *ctx.graph;
  p_ = node.p<Conv2DParams>();
  s_ = conv_shape(g, node);
  precision_ = ctx.precision;
  tf32_ = tf32_allowed(precision_);
  if (s_.groups != 1) return unimplemented("grouped convolutions stay on the legacy API");
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  x_ = x;
  y_ = y;
  padded_ = scratch;
  TB_ASSIGN_OR_RETURN(weights_, upload_conv_weights(ctx, *g.value(node.inputs[1]).constant, s_.nhwc));
  if (node.inputs.size() > 2) {
    TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
  }
  epilogue_ = make_epilogue(s_, p_, bias_);

  const bool asymmetric = p_.pad_top != p_.pad_bottom || p_.pad_left != p_.pad_right;
  std::vector<Variant> variants;
  cudnnPointwiseMode_t unused;
  const bool can_fuse =
      epilogue_.needed() && (p_.activation.op == UnaryOp::kIdentity || fusable_activation(p_.activation, &unused));
  const bool fused_only = fused_variants_only();
  const bool pad_only = asymmetric && scratch != nullptr && conv_variants_only("pad");
  for (bool fused : {true, false}) {
    if (fused && !can_fuse) continue;
    if (!fused && fused_only) continue;
    if (!pad_only) variants.push_back({fused, false});
    if (asymmetric && scratch != nullptr) variants.push_back({fused, true});
  }

  ConvAlgoKey key;
  key.api = 1;
  key.device = ctx.device;
  key.cudnn_version = static_cast<int32_t>(cudnnGetVersion());
  key.data_type = is_half(precision_) ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  key.layout = s_.nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  key.math_type = (tf32_ ? 1 : 0) | (fused_only ? 2 : 0) | (pad_only ? 4 : 0);
  key.n = s_.n;
  key.c = s_.c;
  key.h = s_.h;
  key.w = s_.w;
  key.k = s_.k;
  key.r = s_.r;
  key.s = s_.s;
  key.pad_h = p_.pad_top;
  key.pad_w = p_.pad_left;
  key.pad_bottom = p_.pad_bottom;
  key.pad_right = p_.pad_right;
  key.stride_h = p_.stride_h;
  key.stride_w = p_.stride_w;
  key.dilation_h = p_.dilation_h;
  key.dilation_w = p_.dilation_w;
  key.groups = s_.groups;
  key.has_bias = bias_.get() != nullptr ? 1 : 0;
  key.activation = static_cast<int32_t>(p_.activation.op);
  std::memcpy(&key.activation_alpha, &p_.activation.alpha, sizeof(float));

  cudnnHandle_t handle = ctx.step.cudnn;
  if (auto cached = ConvAlgoCache::instance().find(key)) {
    if (cached->empty()) return unimplemented("no cuDNN graph engine for this convolution (cached)");
    for (const ConvAlgo& a : *cached) {  // rebuild the cached choice: the heuristics' list is deterministic
      auto parts = build_graph(ctx, Variant{a.graph_fused != 0, a.graph_explicit_pad != 0});
      if (!parts.is_ok() || a.engine < 0 || a.engine >= static_cast<int>(parts.value()->cfgs.size())) continue;
      const Desc& cfg = parts.value()->cfgs[a.engine];
      if (!engine_allowed(cfg, &global_index_).is_ok()) continue;
      auto plan = finalize_plan(handle, cfg);
      if (!plan.is_ok()) continue;
      if (!ctx.step.workspace->reserve(a.workspace).is_ok()) continue;
      plan_ = std::move(plan).value();
      variant_ = parts.value()->variant;
      workspace_ = a.workspace;
      break;
    }
  }
  if (!plan_.get()) {
    // Every variant's engines timed together: a fused graph whose only engine is slow
    // must not beat a fast unfused one.
    counters().conv_algo_searches.fetch_add(1);
    std::string tried;
    std::vector<Candidate> timed;
    for (const Variant& v : variants) {
      auto parts = build_graph(ctx, v);
      Status st = parts.is_ok() ? search(ctx, parts.value(), &timed) : parts.status();
      if (!st.is_ok()) {
        if (st.code() == StatusCode::kOutOfMemory) return st;
        tried += std::string(tried.empty() ? "" : "; ") + (v.fused ? "fused" : "conv only") +
                 (v.explicit_pad ? " + pad kernel" : "") + ": " + st.message();
      }
    }
    std::stable_sort(timed.begin(), timed.end(),
                     [](const Candidate& a, const Candidate& b) { return a.time_ms < b.time_ms; });
    if (timed.empty()) {
      ConvAlgoCache::instance().insert(key, {});
      return unimplemented("no cuDNN graph engine for this convolution (" + tried + ")");
    }
    std::vector<ConvAlgo> ranked;
    for (const Candidate& c : timed) {
      ConvAlgo a;
      a.engine = c.index;
      a.workspace = c.workspace;
      a.time_ms = c.time_ms;
      a.graph_fused = c.variant.fused;
      a.graph_explicit_pad = c.variant.explicit_pad;
      ranked.push_back(a);
    }
    ConvAlgoCache::instance().insert(key, ranked);
    plan_ = std::move(timed.front().plan);
    variant_ = timed.front().variant;
    workspace_ = timed.front().workspace;
    global_index_ = timed.front().global_index;
  }
  description_ = conv_description(g, node, precision_);
  description_.insert(description_.size() - 1,
                      std::string(", cuDNN graph engine ") + std::to_string(global_index_) +
                          (variant_.fused && epilogue_.needed() ? " epilogue fused" : "") +
                          (variant_.explicit_pad ? " pad kernel" : "") + (tf32_ ? " tf32" : "") + " ws " +
                          format_bytes(workspace_));
  return Status::ok();
}

Status GraphConvStep::run(const StepContext& ctx) {
  if (variant_.explicit_pad) TB_CUDA_RETURN_IF_ERROR(pad_input(ctx.stream));
  // The workspace is trimmed after every step is built, which moves it: the pack is made
  // on the first run and again only if the buffer moved.
  if (!pack_built_ || pack_workspace_ != ctx.workspace->get()) {
    TB_ASSIGN_OR_RETURN(pack_, variant_pack(ctx.workspace->get()));
    pack_workspace_ = ctx.workspace->get();
    pack_built_ = true;
  }
  TB_CUDNN_RETURN_IF_ERROR(cudnnBackendExecute(ctx.cudnn, plan_.get(), pack_.get()));
  if (!(variant_.fused)) return epilogue_.run(y_, precision_, ctx.stream);
  return Status::ok();
}

}  // namespace

bool graph_conv_api_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_CONV_API");
  return v == nullptr || std::string(v) != "legacy";
}

Result<std::unique_ptr<Step>> make_graph_conv(const BuildContext& ctx, const Node& node, void* scratch) {
  auto step = std::make_unique<GraphConvStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node, scratch));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
