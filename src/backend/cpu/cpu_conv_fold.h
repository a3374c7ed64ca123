// Convolutions with few output channels on oneDNN, folded.
//
// oneDNN computes output channels in 16-wide AVX-512 vectors, so a conv with 3 outputs
// costs what one with 16 does: White-box's 7x7 32->3 output conv took 195 ms at 976x720
// on this 2-core machine, the same as 32->16 (one of the model's biggest layers for 3/16
// of the work). Folding `factor` neighbouring output columns into the channels makes
// the same conv one with factor * k outputs, a kernel factor - 1 columns wider and
// stride `factor` across: output (y, x', j * k + o) is output (y, factor * x' + j, o) of
// the original, whose weights sit at columns j .. j + kw - 1 of the wider kernel (zeros
// elsewhere). In NHWC the folded output's bytes ARE the original output's, so only the
// descriptors change. The sums gain exact zero terms; their order differs (fp32 rounding
// at the 1e-7 level). Only with AVX-512, where it was measured faster (with AVX2 it was
// slower: cpu_conv_fold.cc); TOONBOX_CPU_CONV_FOLD=1 folds on any CPU, =0 never.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "graph/op.h"

namespace toonbox::cpu {

struct ConvFold {
  int factor = 1;     // 1: no fold
  int pad_right = 0;  // the folded conv's right padding (the original's)
};

// The largest factor with factor * k <= 16 that divides the output width, for an NHWC,
// ungrouped, stride-1, undilated conv with fewer than 8 outputs; else factor 1.
// `weights` OIHW, `output` the NHWC output shape.
ConvFold choose_conv_fold(const graph::Conv2DParams& p, const Shape& weights, const Shape& output);

// OIHW [k, c, r, s] -> [factor * k, c, r, s + factor - 1].
std::vector<float> fold_conv_weights(const float* weights, const Shape& shape, int factor);
std::vector<float> fold_conv_bias(const float* bias, int64_t k, int factor);

}  // namespace toonbox::cpu
