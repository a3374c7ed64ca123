// MatMul (ONNX/numpy semantics: 1-D operands promoted, batch dims broadcast) through
// cuBLAS: one cublasGemmEx for a single matrix product, cublasGemmStridedBatchedEx when
// the batch offsets of both operands are uniform (stride 0 for a broadcast operand),
// cublasGemmBatchedEx with pointer arrays built at compile time otherwise. fp32 runs
// CUBLAS_COMPUTE_32F (true fp32, no TF32); fp16 stores half and accumulates in fp32.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_matmul(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
