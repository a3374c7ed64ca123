#include "backend/cpu/cpu_backend.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_conv_fold.h"
#include "backend/cpu/cpu_conv_few_outputs.h"
#include "backend/cpu/cpu_fft.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/cpu_step_profiler.h"
#include "backend/cpu/cpu_support.h"
#include "backend/cpu/cpu_tensor_ops.h"
#include "backend/graph_precheck.h"
#include "backend/tensor_plans.h"
#include "compile/memory_planner.h"
#include "core/timing.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cpu {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::Conv2DParams;
using graph::Graph;
using graph::instance_norm_dims;
using graph::InstanceNormDims;
using graph::InstanceNormParams;
using graph::Layout;
using graph::Node;
using graph::op_kind_name;
using graph::OpKind;
using graph::ResizeParams;
using graph::row_major_strides;
using graph::unary_op_name;
using graph::UnaryOp;
using graph::UnaryParams;
using graph::Value;

namespace {

using Clock = std::chrono::steady_clock;

class CpuExecutable final : public backend::Executable {
 public:
  CpuExecutable(Graph graph, dnnl::engine engine)
      : graph_(std::move(graph)), engine_(std::move(engine)), stream_(engine_) {}

  Status build() {
    const auto requests = compile::activation_requests(
        graph_, [](const Value& v) { return static_cast<size_t>(shape_numel(v.shape)) * 4; });
    plan_ = compile::plan_memory(requests, 64);
    TB_ASSIGN_OR_RETURN(arena_, Tensor::create(DType::kFloat32,
                                               {static_cast<int64_t>(plan_.arena_bytes / 4 + 1)}));
    std::vector<std::string> descriptions;
    for (const Node& node : graph_.nodes()) {
      Status s = add_step(node);
      if (!s.is_ok()) return s.with_context("compiling node '" + node.name + "' for the CPU");
      while (descriptions.size() < steps_.size())
        descriptions.push_back(std::string(op_kind_name(node.kind)) + " " + node.name + " -> " +
                               shape_to_string(graph_.value(node.outputs[0]).shape));
    }
    TB_RETURN_IF_ERROR(place_blocked_scratch());
    if (cpu_step_profiling_enabled()) profiler_ = std::make_unique<CpuStepProfiler>(std::move(descriptions));
    return Status::ok();
  }

  Status run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
             backend::RunTimings* timings) override {
    if (inputs.size() != graph_.inputs().size())
      return invalid_argument("expected " + std::to_string(graph_.inputs().size()) + " inputs");
    auto t0 = Clock::now();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Value& v = graph_.value(graph_.inputs()[i]);
      if (inputs[i].shape() != v.shape || inputs[i].dtype() != DType::kFloat32) {
        return invalid_argument("input '" + v.name + "': got " + shape_to_string(inputs[i].shape()) +
                                " " + dtype_name(inputs[i].dtype()) + ", compiled for " +
                                shape_to_string(v.shape) + " float32");
      }
      std::memcpy(ptr(graph_.inputs()[i]), inputs[i].raw(), inputs[i].nbytes());
    }
    const double upload = ms_since(t0);
    t0 = Clock::now();
    if (profiler_) {
      profiler_->run(steps_, [this] { stream_.wait(); });
    } else {
      for (auto& step : steps_) step();
    }
    stream_.wait();
    const double compute = ms_since(t0);
    t0 = Clock::now();
    outputs->clear();
    for (int out : graph_.outputs()) {
      TB_ASSIGN_OR_RETURN(Tensor t, Tensor::create(DType::kFloat32, graph_.value(out).shape));
      std::memcpy(t.raw(), ptr(out), t.nbytes());
      outputs->push_back(std::move(t));
    }
    if (timings) *timings = backend::RunTimings{upload, compute, ms_since(t0)};
    return Status::ok();
  }

  size_t arena_bytes() const override {
    return plan_.arena_bytes + scratch_in_.buffer.nbytes() + scratch_out_.buffer.nbytes();
  }

 private:
  float* ptr(int value) {
    const Value& v = graph_.value(value);
    if (v.constant) return const_cast<float*>(v.constant->data<float>());
    return reinterpret_cast<float*>(static_cast<std::byte*>(arena_.raw()) + plan_.offsets[value]);
  }

  // One case per op kind and no default: -Werror=switch names an op without a CPU step.
  Status add_step(const Node& node) {
    const cpu::PointerOf p = [this](int v) { return ptr(v); };
    const Graph& g = graph_;
    switch (node.kind) {
      case OpKind::kConv2D: return add_conv(node);
      case OpKind::kBinary: {
        const int a = node.inputs[0], b = node.inputs[1], y = node.outputs[0];
        const BinaryOp op = node.p<BinaryParams>().op;
        steps_.push_back([this, op, a, b, y] {
          cpu::binary(op, ptr(a), graph_.value(a).shape, ptr(b), graph_.value(b).shape, ptr(y),
                      graph_.value(y).shape);
        });
        return Status::ok();
      }
      case OpKind::kUnary: {
        const int x = node.inputs[0], y = node.outputs[0];
        const UnaryParams p = node.p<UnaryParams>();
        const int64_t n = shape_numel(graph_.value(y).shape);
        steps_.push_back([this, p, x, y, n] { cpu::unary(p.op, p.alpha, p.beta, ptr(x), ptr(y), n); });
        return Status::ok();
      }
      case OpKind::kResize: {
        const ResizeParams p = node.p<ResizeParams>();
        const int x = node.inputs[0], y = node.outputs[0];
        const Shape& xs = graph_.value(x).shape;
        const Shape& ys = graph_.value(y).shape;
        const bool nhwc = p.layout == Layout::kNHWC;
        cpu::ResizeGeometry geo{p.layout,        xs[0], nhwc ? xs[3] : xs[1],
                                nhwc ? xs[1] : xs[2], nhwc ? xs[2] : xs[3],
                                nhwc ? ys[1] : ys[2], nhwc ? ys[2] : ys[3]};
        steps_.push_back([this, p, geo, x, y] { cpu::resize(p, geo, ptr(x), ptr(y)); });
        return Status::ok();
      }
      case OpKind::kMatMul:
        // oneDNN's matmul where it has an implementation for the shapes; our own
        // broadcast-table kernel otherwise (same result, slower).
        if (!add_matmul(node)) steps_.push_back(cpu::matmul_step(g, node, p));
        return Status::ok();
      case OpKind::kConvTranspose: return add(cpu::conv_transpose_step(g, node, p));
      case OpKind::kPool: return add(cpu::pool_step(g, node, p));
      case OpKind::kReduce: return add(cpu::reduce_step(g, node, p));
      case OpKind::kSoftmax: return add(cpu::softmax_step(g, node, p));
      case OpKind::kTranspose:
        // oneDNN's reorder between the permuted strides and dense ones (its jit reorders
        // know nchw <-> nhwc): AnimeGANv3's 16x512x512 transposes took 9-12 ms as a
        // gather. The gather remains where oneDNN has no reorder.
        if (add_transpose_reorder(node)) return Status::ok();
        return add(cpu::gather_step(g, node, backend::transpose_table(g, node), p));
      case OpKind::kSlice: {
        TB_ASSIGN_OR_RETURN(backend::GatherTable t, backend::slice_table(g, node));
        return add(cpu::gather_step(g, node, std::move(t), p));
      }
      case OpKind::kPad: {
        TB_ASSIGN_OR_RETURN(backend::GatherTable t, backend::pad_table(g, node));
        return add(cpu::gather_step(g, node, std::move(t), p));
      }
      case OpKind::kGather:
        return add(cpu::gather_step(g, node, backend::gather_index_table(g, node), p));
      case OpKind::kExpand:
      case OpKind::kTile:
        return add(cpu::gather_step(g, node, backend::broadcast_table(g, node), p));
      case OpKind::kDepthToSpace:
      case OpKind::kSpaceToDepth:
        return add(cpu::gather_step(g, node, backend::depth_space_table(g, node), p));
      case OpKind::kInstanceNorm: {
        const int x = node.inputs[0], s = node.inputs[1], b = node.inputs[2], y = node.outputs[0];
        const InstanceNormParams ip = node.p<InstanceNormParams>();
        const InstanceNormDims d = instance_norm_dims(graph_.value(x).shape, ip.layout);
        steps_.push_back([this, x, s, b, y, d, ip] {
          cpu::instance_norm(ptr(x), ptr(s), ptr(b), ptr(y), d, ip.epsilon);
        });
        return Status::ok();
      }
      case OpKind::kDft: return add(cpu::dft_step(g, node, p));
      case OpKind::kReshape:
      case OpKind::kCast: return add(cpu::copy_step(g, node, p));
      case OpKind::kConcat: return add(cpu::concat_step(g, node, p));
      case OpKind::kWhere: return add(cpu::where_step(g, node, p));
      case OpKind::kPRelu: {
        const int x = node.inputs[0], s = node.inputs[1], y = node.outputs[0];
        steps_.push_back([this, x, s, y] {
          cpu::prelu(ptr(x), graph_.value(x).shape, ptr(s), graph_.value(s).shape, ptr(y));
        });
        return Status::ok();
      }
      case OpKind::kShape:
      case OpKind::kStridedSlice:
      case OpKind::kPack:
      case OpKind::kFill:
      case OpKind::kIdentity:
      case OpKind::kRange: break;  // refused by the capability query
      case OpKind::kArgMax: return add(cpu::arg_max_step(g, node, p));
      case OpKind::kScatterElements: return add(cpu::scatter_elements_step(g, node, p));
    }
    return internal_error(std::string("no CPU step for ") + op_kind_name(node.kind));
  }

  Status add(cpu::Step step) {
    steps_.push_back(std::move(step));
    return Status::ok();
  }

  bool add_transpose_reorder(const Node& node) {
    const int x = node.inputs[0], y = node.outputs[0];
    const Shape& xs = graph_.value(x).shape;
    const Shape& ys = graph_.value(y).shape;
    const auto& perm = node.p<graph::TransposeParams>().perm;
    if (ys.empty() || ys.size() > DNNL_MAX_NDIMS || perm.size() != ys.size() || shape_numel(ys) == 0) return false;
    const std::vector<int64_t> xst = row_major_strides(xs);
    dnnl::memory::dims dims(ys.begin(), ys.end()), src_strides;
    for (size_t d = 0; d < ys.size(); ++d) src_strides.push_back(xst[perm[d]]);
    try {
      const dnnl::memory::desc src_md(dims, dnnl::memory::data_type::f32, src_strides);
      const dnnl::memory::desc dst_md(dims, dnnl::memory::data_type::f32, row_major_strides(ys));
      dnnl::memory src(src_md, engine_, ptr(x)), dst(dst_md, engine_, ptr(y));
      auto r = std::make_shared<dnnl::reorder>(src, dst);
      steps_.push_back([this, r, src, dst]() mutable { r->execute(stream_, src, dst); });
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }

  // MatMul as oneDNN matmul: numpy semantics map directly (1-D operands promoted to
  // [1, K] / [K, 1], batch dims right-aligned and broadcast where 1). False when oneDNN
  // has no implementation for these shapes.
  bool add_matmul(const Node& node) {
    const int a = node.inputs[0], b = node.inputs[1], y = node.outputs[0];
    Shape as = graph_.value(a).shape, bs = graph_.value(b).shape;
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    const size_t rank = std::max(as.size(), bs.size());
    if (rank > DNNL_MAX_NDIMS) return false;
    as.insert(as.begin(), rank - as.size(), 1);
    bs.insert(bs.begin(), rank - bs.size(), 1);
    Shape ys(rank);
    for (size_t d = 0; d + 2 < rank; ++d) ys[d] = std::max(as[d], bs[d]);
    ys[rank - 2] = as[rank - 2];
    ys[rank - 1] = bs[rank - 1];
    if (shape_numel(ys) != shape_numel(graph_.value(y).shape) || shape_numel(ys) == 0)
      return false;
    auto md = [](const Shape& s) {
      return dnnl::memory::desc(s, dnnl::memory::data_type::f32, row_major_strides(s));
    };
    try {
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(md(as), md(bs), md(ys)), engine_);
      auto mm = std::make_shared<dnnl::matmul>(pd);
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, dnnl::memory(md(as), engine_, ptr(a))},
          {DNNL_ARG_WEIGHTS, dnnl::memory(md(bs), engine_, ptr(b))},
          {DNNL_ARG_DST, dnnl::memory(md(ys), engine_, ptr(y))}};
      steps_.push_back([this, mm, args] { mm->execute(stream_, args); });
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }

  Status add_conv(const Node& node) {
    using tag = dnnl::memory::format_tag;
    using dt = dnnl::memory::data_type;
    Conv2DParams p = node.p<Conv2DParams>();
    const Shape& xs = graph_.value(node.inputs[0]).shape;
    Shape ws = graph_.value(node.inputs[1]).shape;
    const Shape& ys = graph_.value(node.outputs[0]).shape;
    const bool nhwc = p.layout == Layout::kNHWC;
    const tag act_tag = nhwc ? tag::nhwc : tag::nchw;
    const bool has_bias = node.inputs.size() > 2;
    const float* weights = graph_.value(node.inputs[1]).constant->data<float>();
    const float* bias = has_bias ? graph_.value(node.inputs[2]).constant->data<float>() : nullptr;
    // Few output channels: the same conv with `fold` output columns in the channels (see
    // cpu_conv_fold.h). The NHWC output bytes are the same, so only the descriptors change.
    const cpu::ConvFold fold = cpu::choose_conv_fold(p, ws, ys);
    if (fold.factor == 1 && cpu::few_outputs_conv_applies(p, ws)) {
      cpu::FewOutputsConvDims d;
      d.nhwc = nhwc;
      d.n = xs[0];
      d.c = nhwc ? xs[3] : xs[1];
      d.h = nhwc ? xs[1] : xs[2];
      d.w = nhwc ? xs[2] : xs[3];
      d.k = ws[0];
      d.r = ws[2];
      d.s = ws[3];
      d.out_h = nhwc ? ys[1] : ys[2];
      d.out_w = nhwc ? ys[2] : ys[3];
      d.pad_top = p.pad_top;
      d.pad_left = p.pad_left;
      const int x = node.inputs[0], y = node.outputs[0];
      const graph::Activation act = p.activation;
      steps_.push_back([this, d, x, y, weights, bias, act] { cpu::conv_few_outputs(d, ptr(x), weights, bias, act, ptr(y)); });
      return Status::ok();
    }
    std::shared_ptr<const std::vector<float>> folded_bias;
    std::vector<float> folded_weights;
    Shape out = ys;
    if (fold.factor > 1) {
      folded_weights = cpu::fold_conv_weights(weights, ws, fold.factor);
      weights = folded_weights.data();
      if (bias) {
        folded_bias = std::make_shared<const std::vector<float>>(cpu::fold_conv_bias(bias, ws[0], fold.factor));
        bias = folded_bias->data();
      }
      ws = {ws[0] * fold.factor, ws[1], ws[2], ws[3] + fold.factor - 1};
      out = {ys[0], ys[1], ys[2] / fold.factor, ys[3] * fold.factor};
      p.stride_w = fold.factor;
      p.pad_right = fold.pad_right;
    }
    // oneDNN describes activations in logical NCHW order whatever the memory layout.
    const dnnl::memory::dims src_dims = {xs[0], nhwc ? xs[3] : xs[1], nhwc ? xs[1] : xs[2],
                                         nhwc ? xs[2] : xs[3]};
    const dnnl::memory::dims dst_dims = {out[0], nhwc ? out[3] : out[1], nhwc ? out[1] : out[2],
                                         nhwc ? out[2] : out[3]};
    const int64_t g = p.groups;
    const dnnl::memory::dims w_dims =
        g == 1 ? dnnl::memory::dims{ws[0], ws[1], ws[2], ws[3]}
               : dnnl::memory::dims{g, ws[0] / g, ws[1], ws[2], ws[3]};
    const tag w_tag = g == 1 ? tag::oihw : tag::goihw;
    dnnl::memory::desc src_md(src_dims, dt::f32, act_tag);
    dnnl::memory::desc dst_md(dst_dims, dt::f32, act_tag);
    dnnl::memory::desc w_any(w_dims, dt::f32, tag::any);
    dnnl::memory::desc b_md({ws[0]}, dt::f32, tag::x);

    dnnl::post_ops po;
    switch (p.activation.op) {
      case UnaryOp::kIdentity: break;
      case UnaryOp::kRelu: po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
      case UnaryOp::kLeakyRelu:
        po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, p.activation.alpha, 0.f);
        break;
      case UnaryOp::kSigmoid: po.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
      case UnaryOp::kTanh: po.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f); break;
      case UnaryOp::kClip:
        po.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, p.activation.alpha, p.activation.beta);
        break;
      default: return unimplemented(std::string("fused activation ") + unary_op_name(p.activation.op));
    }
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    try {
      const dnnl::memory::dims strides = {p.stride_h, p.stride_w};
      const dnnl::memory::dims dilates = {p.dilation_h - 1, p.dilation_w - 1};
      const dnnl::memory::dims pad_l = {p.pad_top, p.pad_left}, pad_r = {p.pad_bottom, p.pad_right};
      auto desc = has_bias ? dnnl::convolution_forward::desc(
                                 dnnl::prop_kind::forward_inference,
                                 dnnl::algorithm::convolution_direct, src_md, w_any, b_md, dst_md,
                                 strides, dilates, pad_l, pad_r)
                           : dnnl::convolution_forward::desc(
                                 dnnl::prop_kind::forward_inference,
                                 dnnl::algorithm::convolution_direct, src_md, w_any, dst_md,
                                 strides, dilates, pad_l, pad_r);
      dnnl::convolution_forward::primitive_desc pd(desc, attr, engine_);
      // With the activations' layout left to oneDNN (`any`), it picks its blocked layouts
      // (nChw8c with AVX2) and its direct jit convs, which at 512² on this 2-core AVX2
      // machine took AnimeGANv3 from 351 to 252 ms and White-box from 845 to 602, the
      // reorders to and from the graph's plain layout included. The fold (AVX-512 only)
      // keeps the plain layout its descriptors rely on.
      if (fold.factor == 1 && blocked_conv_layouts()) {
        const dnnl::memory::desc src_any(src_dims, dt::f32, tag::any), dst_any(dst_dims, dt::f32, tag::any);
        auto bdesc = has_bias ? dnnl::convolution_forward::desc(
                                    dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                    src_any, w_any, b_md, dst_any, strides, dilates, pad_l, pad_r)
                              : dnnl::convolution_forward::desc(
                                    dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                    src_any, w_any, dst_any, strides, dilates, pad_l, pad_r);
        pd = dnnl::convolution_forward::primitive_desc(bdesc, attr, engine_);
      }
      // Reorder the OIHW weights once into the layout this implementation wants.
      dnnl::memory w_user({w_dims, dt::f32, w_tag}, engine_, const_cast<float*>(weights));
      dnnl::memory w_mem(pd.weights_desc(), engine_);
      dnnl::reorder(w_user, w_mem).execute(stream_, w_user, w_mem);
      stream_.wait();
      dnnl::memory src(src_md, engine_, ptr(node.inputs[0]));
      dnnl::memory dst(dst_md, engine_, ptr(node.outputs[0]));
      // Where the conv's layout is not the graph's, it reads and writes scratch buffers
      // (shared by all convs: steps run one at a time; placed by place_blocked_scratch).
      const bool reorder_in = pd.src_desc() != src_md, reorder_out = pd.dst_desc() != dst_md;
      dnnl::memory conv_src = reorder_in ? scratch_memory(pd.src_desc(), &scratch_in_) : src;
      dnnl::memory conv_dst = reorder_out ? scratch_memory(pd.dst_desc(), &scratch_out_) : dst;
      std::unordered_map<int, dnnl::memory> args = {
          {DNNL_ARG_SRC, conv_src}, {DNNL_ARG_WEIGHTS, w_mem}, {DNNL_ARG_DST, conv_dst}};
      if (has_bias) args[DNNL_ARG_BIAS] = dnnl::memory(b_md, engine_, const_cast<float*>(bias));
      auto conv = std::make_shared<dnnl::convolution_forward>(pd);
      std::shared_ptr<dnnl::reorder> in = reorder_in ? std::make_shared<dnnl::reorder>(src, conv_src) : nullptr;
      std::shared_ptr<dnnl::reorder> out = reorder_out ? std::make_shared<dnnl::reorder>(conv_dst, dst) : nullptr;
      // folded_bias (when there is one) lives as long as the step that reads it.
      steps_.push_back([this, conv, args, folded_bias, in, out, src, conv_src, conv_dst, dst]() mutable {
        if (in) in->execute(stream_, src, conv_src);
        conv->execute(stream_, args);
        if (out) out->execute(stream_, conv_dst, dst);
      });
    } catch (const dnnl::error& e) {
      return internal_error(std::string("oneDNN convolution ") + shape_to_string(xs) + " * " +
                            shape_to_string(ws) + ": " + e.what());
    }
    return Status::ok();
  }

  // TOONBOX_CPU_CONV_LAYOUT=plain keeps every conv in the graph's layout (to compare).
  static bool blocked_conv_layouts() {
    const char* v = std::getenv("TOONBOX_CPU_CONV_LAYOUT");
    return v == nullptr || std::string(v) != "plain";
  }

  // A memory object for a conv's own layout, its buffer placed after the build.
  struct Scratch {
    std::vector<dnnl::memory> users;
    size_t bytes = 0;
    Tensor buffer;
  };
  dnnl::memory scratch_memory(const dnnl::memory::desc& desc, Scratch* scratch) {
    dnnl::memory m(desc, engine_, DNNL_MEMORY_NONE);
    scratch->users.push_back(m);
    scratch->bytes = std::max(scratch->bytes, desc.get_size());
    return m;
  }
  Status place_blocked_scratch() {
    for (Scratch* s : {&scratch_in_, &scratch_out_}) {
      if (s->users.empty()) continue;
      TB_ASSIGN_OR_RETURN(s->buffer, Tensor::create(DType::kFloat32, {static_cast<int64_t>(s->bytes / 4 + 1)}));
      for (dnnl::memory& m : s->users) m.set_data_handle(s->buffer.raw());
      s->users.clear();
    }
    return Status::ok();
  }

  Graph graph_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  compile::MemoryPlan plan_;
  Tensor arena_;
  Scratch scratch_in_, scratch_out_;  // convs' inputs and outputs in oneDNN's blocked layouts
  std::vector<std::function<void()>> steps_;
  std::unique_ptr<CpuStepProfiler> profiler_;  // TOONBOX_CPU_PROFILE_STEPS=1 only
};

class CpuBackend final : public backend::Backend {
 public:
  CpuBackend() : engine_(dnnl::engine::kind::cpu, 0) {
    device_.id = "cpu";
    device_.label = "CPU, " + std::to_string(omp_get_max_threads()) + " threads, oneDNN " +
                    onednn_version();
  }

  const backend::DeviceDescription& device() const override { return device_; }
  bool supports(Precision precision) const override { return precision == Precision::kFloat32; }

  std::string unsupported_reason(const Graph& graph, const Node& node,
                                 Precision precision) const override {
    return cpu::cpu_unsupported_reason(graph, node, precision);
  }

  Result<std::unique_ptr<backend::Executable>> compile(
      const Graph& graph, const backend::CompileOptions& options) override {
    TB_RETURN_IF_ERROR(
        backend::check_compilable(*this, graph, options.precision, "the CPU backend"));
    auto exe = std::make_unique<CpuExecutable>(graph, engine_);
    TB_RETURN_IF_ERROR(exe->build());
    return std::unique_ptr<backend::Executable>(std::move(exe));
  }

  Result<size_t> free_memory() const override { return backend::host_available_memory(); }

 private:
  dnnl::engine engine_;
  backend::DeviceDescription device_;
};

}  // namespace

std::unique_ptr<backend::Backend> create_cpu_backend() { return std::make_unique<CpuBackend>(); }

std::string onednn_version() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

}  // namespace toonbox::cpu
