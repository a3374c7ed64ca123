// Convolutions with 1 to 4 output channels on the CPU: our own kernel.
//
// oneDNN computes output channels in whole vectors (8 with AVX2, 16 with AVX-512), so the
// last conv of a cartoon generator, 7x7 to 3 channels, costs what one to 8 or 16 does:
// at 512² on this 2-core AVX2 machine White-box's 32->3 took 116 ms (19 % of the model)
// and AnimeGANv3's 16->3 took 63 ms (24 %). Here the vectors run along the output row
// instead: per output row, each kernel row's input rows are gathered once into planar,
// zero-padded rows (one per input channel, whatever the layout), and every tap adds
// weight * shifted row into K accumulator rows. Stride 1, no dilation, one group.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "graph/op.h"

namespace toonbox::cpu {

struct FewOutputsConvDims {
  int64_t n = 0, c = 0, h = 0, w = 0;  // input
  int64_t k = 0, r = 0, s = 0;         // outputs (1..4), kernel rows and columns
  int64_t out_h = 0, out_w = 0;
  int64_t pad_top = 0, pad_left = 0;
  bool nhwc = false;
};

// Whether the kernel takes this conv (weights OIHW [k, c, r, s]); false where oneDNN is
// the better or the only choice. TOONBOX_CPU_FEW_OUTPUTS=0 turns it off (to compare).
bool few_outputs_conv_applies(const graph::Conv2DParams& p, const Shape& weights);

// y = act(conv(x, w) + bias); bias may be null. x and y in the layout of `d.nhwc`.
void conv_few_outputs(const FewOutputsConvDims& d, const float* x, const float* w, const float* bias,
                      const graph::Activation& act, float* y);

}  // namespace toonbox::cpu
