#include "backend/cuda/tensor_steps.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <functional>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/tensor_ops.h"
#include "backend/cuda/op_support.h"
#include "backend/tensor_plans.h"

namespace toonbox::cuda {

namespace {

// A step that runs one closure; it owns the index tables the closure reads.
class TensorStep final : public Step {
 public:
  TensorStep(std::string description, std::function<cudaError_t(cudaStream_t)> fn,
             std::vector<DeviceBuffer> tables)
      : fn_(std::move(fn)), tables_(std::move(tables)) {
    description_ = std::move(description);
  }
  Status run(const StepContext& ctx) override {
    TB_CUDA_RETURN_IF_ERROR(fn_(ctx.stream));
    return Status::ok();
  }

 private:
  std::function<cudaError_t(cudaStream_t)> fn_;
  std::vector<DeviceBuffer> tables_;
};

Result<DeviceBuffer> upload_ints(const BuildContext& ctx, const std::vector<int64_t>& v,
                                 const char* what) {
  TB_ASSIGN_OR_RETURN(DeviceBuffer b, DeviceBuffer::allocate(
                                          std::max<size_t>(v.size(), 1) * sizeof(int64_t), what));
  if (!v.empty())
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, b.get(), v.data(), v.size() * sizeof(int64_t)));
  return b;
}

// Calls f(T{}) with T = __half or float.
template <typename F>
cudaError_t by_type(bool half, F&& f) {
  return half ? f(__half{}) : f(float{});
}

Result<std::unique_ptr<Step>> build(const BuildContext& ctx, const Node& node,
                                    const std::string& desc) {
  const Graph& g = *ctx.graph;
  const bool half = is_half(ctx.precision);
  const int xi = node.inputs[0], yi = node.outputs[0];
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(xi));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(yi));
  const Shape& xs = g.value(xi).shape;
  const Shape& ys = g.value(yi).shape;
  std::vector<DeviceBuffer> tables;
  std::function<cudaError_t(cudaStream_t)> fn;

  if (is_gather_op(node.kind)) {
    TB_ASSIGN_OR_RETURN(GatherTable t, gather_table(g, node));
    if (t.out.size() > static_cast<size_t>(kMaxGatherRank)) return unimplemented("rank above 8");
    GatherDims dims;
    dims.rank = static_cast<int>(t.out.size());
    std::vector<int64_t> flat;
    for (size_t d = 0; d < t.out.size(); ++d) {
      dims.out_dims[d] = t.out[d];
      dims.table_start[d] = static_cast<int64_t>(flat.size());
      flat.insert(flat.end(), t.offs[d].begin(), t.offs[d].end());
    }
    TB_ASSIGN_OR_RETURN(DeviceBuffer tb, upload_ints(ctx, flat, "gather tables"));
    const int64_t* tp = tb.as<int64_t>();
    tables.push_back(std::move(tb));
    const int64_t n = shape_numel(ys);
    const float fill = t.fill;
    fn = [=](cudaStream_t s) {
      return by_type(half, [&](auto tag) {
        using T = decltype(tag);
        return launch_gather<T>(static_cast<const T*>(x), static_cast<T*>(y), n, dims, tp, fill, s);
      });
    };
  } else {
    switch (node.kind) {
      case OpKind::kReshape:
      case OpKind::kCast: {
        const size_t bytes = static_cast<size_t>(shape_numel(ys)) * storage_size(ctx.precision);
        fn = [=](cudaStream_t s) {
          return x == y || bytes == 0 ? cudaSuccess
                                      : cudaMemcpyAsync(y, x, bytes, cudaMemcpyDeviceToDevice, s);
        };
        break;
      }
      case OpKind::kWhere: {
        // Per-dim strides of the three inputs in output-index space (0 where broadcast).
        WhereDims d;
        d.rank = static_cast<int>(ys.size());
        for (int k = 0; k < 3; ++k) {
          const Shape& s = g.value(node.inputs[k]).shape;
          int64_t acc = 1;
          for (int i = d.rank - 1, j = static_cast<int>(s.size()) - 1; i >= 0; --i, --j) {
            const int64_t dim = j >= 0 ? s[j] : 1;
            d.strides[k][i] = dim == 1 ? 0 : acc;
            acc *= dim;
          }
        }
        for (int i = 0; i < d.rank; ++i) d.out_dims[i] = ys[i];
        TB_ASSIGN_OR_RETURN(void* a, ctx.value_ptr(node.inputs[1]));
        TB_ASSIGN_OR_RETURN(void* b, ctx.value_ptr(node.inputs[2]));
        const int64_t n = shape_numel(ys);
        fn = [=](cudaStream_t s) {
          return by_type(half, [&](auto tag) {
            using T = decltype(tag);
            return launch_where<T>(static_cast<const T*>(x), static_cast<const T*>(a),
                                   static_cast<const T*>(b), static_cast<T*>(y), n, d, s);
          });
        };
        break;
      }
      case OpKind::kConcat: {
        const int axis = node.p<ConcatParams>().axis;
        int64_t outer = 1;
        for (int d = 0; d < axis; ++d) outer *= ys[d];
        const int64_t total = outer > 0 ? shape_numel(ys) / outer : 0;
        struct Part {
          void* x;
          int64_t chunk, offset;
        };
        std::vector<Part> parts;
        int64_t offset = 0;
        for (int in : node.inputs) {
          TB_ASSIGN_OR_RETURN(void* p, ctx.value_ptr(in));
          const int64_t chunk = outer > 0 ? shape_numel(g.value(in).shape) / outer : 0;
          parts.push_back({p, chunk, offset});
          offset += chunk;
        }
        fn = [=](cudaStream_t s) {
          for (const Part& p : parts) {
            const cudaError_t e = by_type(half, [&](auto tag) {
              using T = decltype(tag);
              return launch_copy_block<T>(static_cast<const T*>(p.x), static_cast<T*>(y), outer,
                                          p.chunk, total, p.offset, s);
            });
            if (e != cudaSuccess) return e;
          }
          return cudaSuccess;
        };
        break;
      }
      case OpKind::kReduce: {
        ReducePlan plan = reduce_plan(g, node);
        TB_ASSIGN_OR_RETURN(DeviceBuffer base, upload_ints(ctx, plan.base, "reduce offsets"));
        TB_ASSIGN_OR_RETURN(DeviceBuffer members, upload_ints(ctx, plan.members, "reduce windows"));
        const int64_t* bp = base.as<int64_t>();
        const int64_t* mp = members.as<int64_t>();
        tables.push_back(std::move(base));
        tables.push_back(std::move(members));
        const int64_t outputs = static_cast<int64_t>(plan.base.size());
        const int64_t count = static_cast<int64_t>(plan.members.size());
        const int op = static_cast<int>(plan.op);
        fn = [=](cudaStream_t s) {
          return by_type(half, [&](auto tag) {
            using T = decltype(tag);
            return launch_reduce<T>(static_cast<const T*>(x), static_cast<T*>(y), bp, outputs, mp,
                                    count, op, s);
          });
        };
        break;
      }
      case OpKind::kSoftmax: {
        const SoftmaxPlan p = softmax_plan(xs, node.p<SoftmaxParams>().axis);
        fn = [=](cudaStream_t s) {
          return by_type(half, [&](auto tag) {
            using T = decltype(tag);
            return launch_softmax<T>(static_cast<const T*>(x), static_cast<T*>(y), p.outer, p.len,
                                     p.inner, s);
          });
        };
        break;
      }
      case OpKind::kPool: {
        const auto& p = node.p<PoolParams>();
        PoolDims d{xs[0] * xs[1],
                   xs[2],
                   xs[3],
                   ys[2],
                   ys[3],
                   p.kernel_h,
                   p.kernel_w,
                   p.stride_h,
                   p.stride_w,
                   p.dilation_h,
                   p.dilation_w,
                   p.pad_top,
                   p.pad_left,
                   p.pad_bottom,
                   p.pad_right,
                   p.kind == PoolKind::kMax,
                   p.count_include_pad};
        fn = [=](cudaStream_t s) {
          return by_type(half, [&](auto tag) {
            using T = decltype(tag);
            return launch_pool<T>(static_cast<const T*>(x), static_cast<T*>(y), d, s);
          });
        };
        break;
      }
      case OpKind::kConvTranspose: {
        const auto& p = node.p<ConvTransposeParams>();
        const Shape& ws = g.value(node.inputs[1]).shape;
        TB_ASSIGN_OR_RETURN(void* w, ctx.value_ptr(node.inputs[1]));
        void* bias = nullptr;
        if (node.inputs.size() > 2) {
          TB_ASSIGN_OR_RETURN(bias, ctx.value_ptr(node.inputs[2]));
        }
        ConvTransposeDims d{xs[0],     xs[1],      xs[2],      xs[3],        ys[1],
                            ys[2],     ys[3],      ws[1],      ws[2],        ws[3],
                            p.groups,  p.stride_h, p.stride_w, p.dilation_h, p.dilation_w,
                            p.pad_top, p.pad_left};
        fn = [=](cudaStream_t s) {
          return by_type(half, [&](auto tag) {
            using T = decltype(tag);
            return launch_conv_transpose<T>(static_cast<const T*>(x), static_cast<const T*>(w),
                                            static_cast<const T*>(bias), static_cast<T*>(y), d, s);
          });
        };
        break;
      }
      default:
        return unimplemented(std::string("op ") + op_kind_name(node.kind));
    }
  }
  return std::unique_ptr<Step>(new TensorStep(desc, std::move(fn), std::move(tables)));
}

}  // namespace

std::string tensor_op_unsupported_reason(const Graph& g, const Node& node) {
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Value& v = g.value(node.inputs[i]);
    if (is_parameter_input(node, i)) {
      if (!v.constant) return "input " + std::to_string(i) + " ('" + v.name + "') must be constant";
    } else if (std::string why = float_only(g, node.inputs[i]); !why.empty()) {
      return why;
    }
  }
  switch (node.kind) {
    case OpKind::kTranspose:
    case OpKind::kSlice:
    case OpKind::kPad:
    case OpKind::kGather:
    case OpKind::kExpand:
    case OpKind::kTile:
      if (g.value(node.outputs[0]).shape.size() > static_cast<size_t>(kMaxGatherRank))
        return "rank above " + std::to_string(kMaxGatherRank);
      return "";
    case OpKind::kConvTranspose:
      if (!g.is_constant(node.inputs[1])) return "weights must be constant";
      return "";
    case OpKind::kReshape:
    case OpKind::kConcat:
    case OpKind::kReduce:
    case OpKind::kSoftmax:
    case OpKind::kPool:
    case OpKind::kMatMul:
    case OpKind::kCast:
      return "";
    case OpKind::kWhere:
      if (g.value(node.outputs[0]).shape.size() > static_cast<size_t>(kMaxGatherRank))
        return "rank above " + std::to_string(kMaxGatherRank);
      return "";
    default:
      return std::string("op ") + op_kind_name(node.kind) + " is not implemented";
  }
}

Result<std::unique_ptr<Step>> make_tensor_step(const BuildContext& ctx, const Node& node) {
  const std::string d = node_description(*ctx.graph, node, ctx.precision);
  auto step = build(ctx, node, d);
  if (!step.is_ok()) return step.status().with_context(d);
  return step;
}

}  // namespace toonbox::cuda
