// CPU steps of the index ops: ArgMax writes its index as a float (run-time integers are
// exact floats, compile/integer_lowering.h), ScatterElements reads its indices as floats.
#include <cstring>

#include "backend/cpu/cpu_tensor_ops.h"

namespace toonbox::cpu {

Step arg_max_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr) {
  const int x = node.inputs[0], y = node.outputs[0];
  const graph::ArgMaxParams ap = node.p<graph::ArgMaxParams>();
  const backend::SoftmaxPlan p = backend::softmax_plan(g.value(x).shape, ap.axis);
  return [=] {
    const float* src = ptr(x);
    float* dst = ptr(y);
#pragma omp parallel for
    for (int64_t r = 0; r < p.outer * p.inner; ++r) {
      const int64_t o = r / p.inner, i = r % p.inner;
      const float* row = src + o * p.len * p.inner + i;
      int64_t best = 0;
      float best_v = row[0];
      for (int64_t k = 1; k < p.len; ++k) {
        const float v = row[k * p.inner];
        const bool better = ap.select_min ? (v < best_v || (ap.select_last_index && v == best_v))
                                          : (v > best_v || (ap.select_last_index && v == best_v));
        if (better) best = k, best_v = v;
      }
      dst[r] = static_cast<float>(best);
    }
  };
}

Step scatter_elements_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr) {
  const int data = node.inputs[0], idx = node.inputs[1], upd = node.inputs[2], y = node.outputs[0];
  const int64_t n = shape_numel(g.value(data).shape);
  backend::ScatterPlan plan = backend::scatter_plan(g, node);
  return [=, plan = std::move(plan)] {
    float* out = ptr(y);
    const float* in = ptr(data);
    if (out != in) std::memcpy(out, in, static_cast<size_t>(n) * sizeof(float));
    const float* ids = ptr(idx);
    const float* values = ptr(upd);
    // In index order, so duplicate targets keep the last write as the reference does.
    for (size_t i = 0; i < plan.base.size(); ++i) {
      int64_t k = static_cast<int64_t>(ids[i]);
      if (k < 0) k += plan.axis_dim;
      if (k < 0 || k >= plan.axis_dim) continue;
      out[plan.base[i] + k * plan.axis_stride] = values[i];
    }
  };
}

}  // namespace toonbox::cpu
