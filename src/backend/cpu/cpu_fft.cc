#include "backend/cpu/cpu_fft.h"

#include <algorithm>
#include <memory>
#include <numbers>

#include "graph/tensor_geometry.h"

namespace toonbox::cpu {

namespace {

using Complex = std::complex<double>;

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

std::vector<Complex> twiddles(int64_t len) {
  std::vector<Complex> tw(static_cast<size_t>(len / 2));
  for (int64_t j = 0; j < len / 2; ++j)
    tw[j] = std::polar(1.0,
                       -2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(len));
  return tw;
}

}  // namespace

FftPlan::FftPlan(int64_t n) : n_(n), pow2_(is_pow2(n)) {
  if (pow2_) {
    tw_ = twiddles(n);
    return;
  }
  m_ = 1;
  while (m_ < 2 * n - 1) m_ *= 2;
  tw_ = twiddles(m_);
  chirp_.resize(static_cast<size_t>(n));
  for (int64_t t = 0; t < n; ++t) {
    // t^2 mod 2n keeps the angle exact for long signals.
    const int64_t q = (t * t) % (2 * n);
    chirp_[t] =
        std::polar(1.0, -std::numbers::pi * static_cast<double>(q) / static_cast<double>(n));
  }
  kernel_.assign(static_cast<size_t>(m_), Complex{});
  kernel_[0] = std::conj(chirp_[0]);
  for (int64_t t = 1; t < n; ++t) kernel_[t] = kernel_[m_ - t] = std::conj(chirp_[t]);
  radix2(kernel_.data(), m_, tw_);
}

void FftPlan::radix2(Complex* x, int64_t n, const std::vector<Complex>& tw) {
  for (int64_t i = 1, j = 0; i < n; ++i) {  // bit reversal
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  const int64_t tw_len = static_cast<int64_t>(tw.size()) * 2;  // the plan's length
  for (int64_t len = 2; len <= n; len *= 2) {
    const int64_t half = len / 2, step = tw_len / len;
    for (int64_t start = 0; start < n; start += len)
      for (int64_t k = 0; k < half; ++k) {
        const Complex u = x[start + k], v = x[start + k + half] * tw[k * step];
        x[start + k] = u + v;
        x[start + k + half] = u - v;
      }
  }
}

void FftPlan::run(Complex* x, bool inverse, std::vector<Complex>& scratch) const {
  // The inverse is the conjugate of the forward transform of the conjugate.
  if (inverse)
    for (int64_t t = 0; t < n_; ++t) x[t] = std::conj(x[t]);
  if (pow2_) {
    radix2(x, n_, tw_);
  } else {
    scratch.assign(static_cast<size_t>(m_), Complex{});
    for (int64_t t = 0; t < n_; ++t) scratch[t] = x[t] * chirp_[t];
    radix2(scratch.data(), m_, tw_);
    for (int64_t j = 0; j < m_; ++j) scratch[j] *= kernel_[j];
    // Inverse FFT of length m by the same conjugate trick, scaled by 1/m.
    for (int64_t j = 0; j < m_; ++j) scratch[j] = std::conj(scratch[j]);
    radix2(scratch.data(), m_, tw_);
    const double inv_m = 1.0 / static_cast<double>(m_);
    for (int64_t k = 0; k < n_; ++k) x[k] = std::conj(scratch[k]) * inv_m * chirp_[k];
  }
  if (inverse)
    for (int64_t t = 0; t < n_; ++t) x[t] = std::conj(x[t]);
}

Step dft_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr) {
  const int xv = node.inputs[0], yv = node.outputs[0];
  const graph::DftParams p = node.p<graph::DftParams>();
  const graph::DftDims d =
      graph::dft_dims(g.value(xv).shape, p).value();  // checked by shape inference
  auto plan = std::make_shared<const FftPlan>(d.n);
  const bool hermitian = p.inverse && p.onesided;
  const double scale = p.scale / (p.inverse ? static_cast<double>(d.n) : 1.0);
  return [=] {
    const float* x = ptr(xv);
    float* y = ptr(yv);
    const int64_t lines = d.outer * d.inner;
#pragma omp parallel
    {
      std::vector<Complex> line(static_cast<size_t>(d.n)), scratch;
#pragma omp for schedule(static)
      for (int64_t l = 0; l < lines; ++l) {
        const int64_t o = l / d.inner, i = l % d.inner;
        auto in_at = [&](int64_t t) {
          return ((o * d.in_len + t) * d.inner + i) * d.in_components;
        };
        if (hermitian) {
          const int64_t bins = std::min(d.in_len, d.n / 2 + 1);
          std::fill(line.begin(), line.end(), Complex{});
          for (int64_t k = 0; k < bins; ++k) {
            const Complex v(x[in_at(k)], x[in_at(k) + 1]);
            line[k] = v;
            if (k > 0 && d.n - k != k) line[d.n - k] = std::conj(v);
          }
        } else {
          const int64_t copy = std::min(d.in_len, d.n);
          for (int64_t t = 0; t < copy; ++t)
            line[t] = Complex(x[in_at(t)], d.in_components == 2 ? x[in_at(t) + 1] : 0.f);
          std::fill(line.begin() + copy, line.end(), Complex{});
        }
        plan->run(line.data(), p.inverse, scratch);
        for (int64_t k = 0; k < d.out_len; ++k) {
          const int64_t at = ((o * d.out_len + k) * d.inner + i) * d.out_components;
          y[at] = static_cast<float>(line[k].real() * scale);
          if (d.out_components == 2) y[at + 1] = static_cast<float>(line[k].imag() * scale);
        }
      }
    }
  };
}

}  // namespace toonbox::cpu
