// The Dft op's shape function and reference kernel (a direct O(n^2) sum in double per
// output element: slow and obviously right, the oracle for the backends' FFTs).
#include <cmath>
#include <numbers>

#include "ops/reference_util.h"
#include "ops/shape_inference_util.h"

namespace toonbox::ops {

namespace shape_detail {

Status infer_dft(graph::Graph& g, graph::Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  auto& p = node.p<graph::DftParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  auto d = graph::dft_dims(x, p);
  if (!d.is_ok()) return node_error(node, d.status().message());
  p.axis = d->axis;
  Shape y = x;
  y[d->axis] = d->out_len;
  y.back() = d->out_components;
  return set_output(g, node, DType::kFloat32, std::move(y));
}

}  // namespace shape_detail

namespace reference_detail {

Status eval_dft(const graph::Node& node, const Inputs& in, Outputs& out) {
  const auto& p = node.p<graph::DftParams>();
  const Tensor& x = *in[0];
  TB_ASSIGN_OR_RETURN(graph::DftDims d, graph::dft_dims(x.shape(), p));
  const double sign = p.inverse ? 1.0 : -1.0;
  const double scale = p.scale / (p.inverse ? static_cast<double>(d.n) : 1.0);
  const bool hermitian = p.inverse && p.onesided;
  // Input sample t of line (o, i) as a complex number; zero past the input (padding).
  auto sample = [&](int64_t o, int64_t i, int64_t t, double* re, double* im) {
    int64_t src = t;
    bool conj = false;
    if (hermitian && t > d.n / 2) {  // X[n - k] = conj(X[k])
      src = d.n - t;
      conj = true;
    }
    if (src >= d.in_len || (hermitian && src > d.n / 2)) {
      *re = *im = 0;
      return;
    }
    const int64_t at = ((o * d.in_len + src) * d.inner + i) * d.in_components;
    *re = load(x, at);
    *im = d.in_components == 2 ? load(x, at + 1) : 0.0;
    if (conj) *im = -*im;
  };
  for (int64_t o = 0; o < d.outer; ++o)
    for (int64_t i = 0; i < d.inner; ++i)
      for (int64_t k = 0; k < d.out_len; ++k) {
        double sr = 0, si = 0;
        for (int64_t t = 0; t < d.n; ++t) {
          double re, im;
          sample(o, i, t, &re, &im);
          // k * t mod n keeps the angle small, so cos/sin stay accurate for long signals.
          const double a = sign * 2.0 * std::numbers::pi * static_cast<double>((k * t) % d.n) /
                           static_cast<double>(d.n);
          const double c = std::cos(a), s = std::sin(a);
          sr += re * c - im * s;
          si += re * s + im * c;
        }
        const int64_t at = ((o * d.out_len + k) * d.inner + i) * d.out_components;
        store(out[0], at, sr * scale);
        if (d.out_components == 2) store(out[0], at + 1, si * scale);
      }
  return Status::ok();
}

}  // namespace reference_detail

}  // namespace toonbox::ops
