#include "backend/cuda/matmul_cublas.h"

#include <climits>

#include "backend/cuda/cuda_check.h"
#include "backend/tensor_plans.h"

namespace toonbox::cuda {

namespace {

class MatMulStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const graph::Node& node);
  Status run(const StepContext& ctx) override;

 private:
  bool half_ = false;
  int m_ = 0, n_ = 0, k_ = 0, batches_ = 0;
  const void* a_ = nullptr;
  const void* b_ = nullptr;
  void* c_ = nullptr;
  bool strided_ = true;
  long long stride_a_ = 0, stride_b_ = 0;
  DeviceBuffer pointers_;  // general broadcast: batches A, then B, then C pointers
};

// The common stride of `off` (off[i] == i * stride), or -1 when there is none.
long long uniform_stride(const std::vector<int64_t>& off) {
  if (off.empty() || off[0] != 0) return -1;
  const int64_t s = off.size() > 1 ? off[1] : 0;
  for (size_t i = 0; i < off.size(); ++i)
    if (off[i] != static_cast<int64_t>(i) * s) return -1;
  return s;
}

Status MatMulStep::build(const BuildContext& ctx, const graph::Node& node) {
  const graph::Graph& g = *ctx.graph;
  const Shape& as = g.value(node.inputs[0]).shape;
  const Shape& bs = g.value(node.inputs[1]).shape;
  const Shape& ys = g.value(node.outputs[0]).shape;
  half_ = is_half(ctx.precision);
  description_ = "node '" + node.name + "' (MatMul " + shape_to_string(as) + " x " +
                 shape_to_string(bs) + " -> " + shape_to_string(ys) + " " +
                 precision_name(ctx.precision) + ", cuBLAS)";
  const backend::MatMulPlan plan = backend::matmul_plan(as, bs, ys);
  if (plan.M > INT_MAX || plan.N > INT_MAX || plan.K > INT_MAX ||
      plan.a_off.size() > static_cast<size_t>(INT_MAX))
    return unimplemented("MatMul dimensions above 2^31");
  m_ = static_cast<int>(plan.M);
  n_ = static_cast<int>(plan.N);
  k_ = static_cast<int>(plan.K);
  batches_ = static_cast<int>(plan.a_off.size());
  TB_ASSIGN_OR_RETURN(void* a, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* b, ctx.value_ptr(node.inputs[1]));
  TB_ASSIGN_OR_RETURN(c_, ctx.value_ptr(node.outputs[0]));
  a_ = a;
  b_ = b;
  stride_a_ = uniform_stride(plan.a_off);
  stride_b_ = uniform_stride(plan.b_off);
  strided_ = stride_a_ >= 0 && stride_b_ >= 0;
  if (!strided_) {
    // Pointers are fixed at compile time (one arena per executable), so the arrays are
    // uploaded once.
    const size_t es = storage_size(ctx.precision);
    std::vector<const void*> ptrs(3 * static_cast<size_t>(batches_));
    for (int i = 0; i < batches_; ++i) {
      ptrs[i] = static_cast<const std::byte*>(a_) + plan.a_off[i] * es;
      ptrs[batches_ + i] = static_cast<const std::byte*>(b_) + plan.b_off[i] * es;
      ptrs[2 * batches_ + i] =
          static_cast<const std::byte*>(c_) + static_cast<int64_t>(i) * plan.M * plan.N * es;
    }
    TB_ASSIGN_OR_RETURN(pointers_, DeviceBuffer::allocate(ptrs.size() * sizeof(void*),
                                                          "matmul pointer arrays"));
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, pointers_.get(), ptrs.data(),
                              ptrs.size() * sizeof(void*)));
  }
  return Status::ok();
}

Status MatMulStep::run(const StepContext& ctx) {
  if (batches_ == 0 || m_ == 0 || n_ == 0) return Status::ok();
  // cuBLAS is column-major: the row-major C[M, N] = A[M, K] B[K, N] is the column-major
  // N x M product C^T = B^T A^T, where B^T is B's row-major storage with ld N and A^T
  // is A's with ld K. No transposes, no copies.
  const float alpha = 1.f, beta = 0.f;
  const cudaDataType_t type = half_ ? CUDA_R_16F : CUDA_R_32F;
  if (batches_ == 1) {
    TB_CUBLAS_RETURN_IF_ERROR(cublasGemmEx(ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_N, n_, m_, k_,
                                           &alpha, b_, type, n_, a_, type, k_, &beta, c_, type,
                                           n_, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  } else if (strided_) {
    TB_CUBLAS_RETURN_IF_ERROR(cublasGemmStridedBatchedEx(
        ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_N, n_, m_, k_, &alpha, b_, type, n_, stride_b_, a_,
        type, k_, stride_a_, &beta, c_, type, n_, static_cast<long long>(m_) * n_, batches_,
        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  } else {
    const void* const* p = static_cast<const void* const*>(pointers_.get());
    TB_CUBLAS_RETURN_IF_ERROR(cublasGemmBatchedEx(
        ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_N, n_, m_, k_, &alpha, p + batches_, type, n_, p,
        type, k_, &beta, const_cast<void* const*>(p + 2 * batches_), type, n_, batches_,
        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Step>> make_matmul(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<MatMulStep>();
  Status s = step->build(ctx, node);
  if (!s.is_ok()) return s.with_context(step->description());
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
