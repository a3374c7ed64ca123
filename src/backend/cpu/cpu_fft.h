// The CPU backend's FFT (own code: FFTW is GPL and the project vendors nothing). An
// iterative radix-2 transform for power-of-two lengths and Bluestein's chirp-z for every
// other length (a power-of-two convolution of about twice the length), computed in double
// so a float32 signal keeps its precision whatever the length.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "backend/cpu/cpu_tensor_ops.h"

namespace toonbox::cpu {

class FftPlan {
 public:
  explicit FftPlan(int64_t n);
  int64_t size() const { return n_; }
  // In place: x[k] = sum_t x[t] e^{-+2 pi i k t / n} (no scaling); `scratch` is resized
  // as needed so a thread can reuse it across lines.
  void run(std::complex<double>* x, bool inverse, std::vector<std::complex<double>>& scratch) const;

 private:
  static void radix2(std::complex<double>* x, int64_t n,
                     const std::vector<std::complex<double>>& tw);
  int64_t n_;
  bool pow2_;
  int64_t m_ = 0;                             // Bluestein: the power-of-two length
  std::vector<std::complex<double>> tw_;      // e^{-2 pi i j / len}, j < len / 2
  std::vector<std::complex<double>> chirp_;   // e^{-pi i t^2 / n}, t < n
  std::vector<std::complex<double>> kernel_;  // FFT of the conjugate chirp, length m
};

Step dft_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);

}  // namespace toonbox::cpu
