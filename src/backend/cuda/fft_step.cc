#include "backend/cuda/fft_step.h"

#include <cufft.h>

#include <climits>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/dft_pack.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cuda {

namespace {

Status cufft_status(cufftResult r, const char* call) {
  if (r == CUFFT_SUCCESS) return Status::ok();
  const std::string what = std::string(call) + " failed: cufftResult " + std::to_string(r);
  if (r == CUFFT_ALLOC_FAILED) return out_of_memory(what);
  return internal_error(what);
}

#define TB_CUFFT_RETURN_IF_ERROR(call) TB_RETURN_IF_ERROR(cufft_status((call), #call))

class DftStep final : public Step {
 public:
  ~DftStep() override {
    if (has_plan_) cufftDestroy(plan_);
  }

  Status init(const BuildContext& ctx, const graph::Node& node) {
    description_ = node_description(*ctx.graph, node, ctx.precision);
    const graph::DftParams& p = node.p<graph::DftParams>();
    TB_ASSIGN_OR_RETURN(graph::DftDims d,
                        graph::dft_dims(ctx.graph->value(node.inputs[0]).shape, p));
    layout_ = DftLayout{d.outer,   d.in_len,        d.inner,          d.n,
                        d.out_len, d.in_components, d.out_components, p.inverse && p.onesided};
    scale_ = static_cast<float>(p.scale / (p.inverse ? static_cast<double>(d.n) : 1.0));
    inverse_ = p.inverse;
    half_ = is_half(ctx.precision);
    const int64_t lines = d.outer * d.inner;
    if (d.n > INT_MAX || lines > INT_MAX)
      return unimplemented("DFT longer than 2^31 (cuFFT int sizes)");
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    TB_ASSIGN_OR_RETURN(
        lines_,
        DeviceBuffer::allocate(static_cast<size_t>(lines * d.n) * sizeof(float2), "DFT lines"));
    int n = static_cast<int>(d.n);
    TB_CUFFT_RETURN_IF_ERROR(cufftPlanMany(&plan_, 1, &n, nullptr, 1, n, nullptr, 1, n, CUFFT_C2C,
                                           static_cast<int>(lines)));
    has_plan_ = true;
    TB_CUFFT_RETURN_IF_ERROR(cufftSetStream(plan_, ctx.step.stream));
    return Status::ok();
  }

  Status run(const StepContext& ctx) override {
    auto* lines = lines_.as<float2>();
    TB_CUDA_RETURN_IF_ERROR(by_type(half_, [&](auto tag) {
      using T = decltype(tag);
      return launch_dft_pack<T>(static_cast<const T*>(x_), lines, layout_, ctx.stream);
    }));
    // The plan was bound to the executable's stream at compile time.
    TB_CUFFT_RETURN_IF_ERROR(cufftExecC2C(plan_, reinterpret_cast<cufftComplex*>(lines),
                                          reinterpret_cast<cufftComplex*>(lines),
                                          inverse_ ? CUFFT_INVERSE : CUFFT_FORWARD));
    TB_CUDA_RETURN_IF_ERROR(by_type(half_, [&](auto tag) {
      using T = decltype(tag);
      return launch_dft_unpack<T>(lines, static_cast<T*>(y_), layout_, scale_, ctx.stream);
    }));
    return Status::ok();
  }

 private:
  cufftHandle plan_ = 0;
  bool has_plan_ = false;
  DeviceBuffer lines_;
  DftLayout layout_{};
  float scale_ = 1.f;
  bool inverse_ = false, half_ = false;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Step>> make_dft_step(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<DftStep>();
  TB_RETURN_IF_ERROR(step->init(ctx, node));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
