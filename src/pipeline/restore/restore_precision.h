// The precision a face restorer runs at. fp16 stores every activation in half; a network
// whose output hangs on an index chosen from computed scores (ArgMax or TopK over logits:
// CodeFormer's codebook lookup) picks another code wherever two scores tie within half's
// resolution, and a wrong code is a wrong patch of face, not noise. Measured on the H200
// with the CodeFormer reference net (tests/models/restore_nets_test.cc, its per-node
// diagnostic): every value before the lookup within 45 dB of fp32, the lookup's indices
// at 31 dB, the output 28 dB against PyTorch. Such a network runs in fp32 and says so.
// Per-op precision (the logits in fp32 inside an fp16 graph) would keep the rest in half;
// the CUDA backend has no mixed storage yet.
#pragma once

#include <string>

#include "core/dtype.h"
#include "graph/graph.h"

namespace toonbox::pipeline {

struct RestorePrecision {
  Precision precision = Precision::kFloat32;
  std::string note;  // why it differs from the requested one; "" when it does not
};

// True when an ArgMax (TopK with k = 1 is imported as one) in `g` ranks values computed at run time (not constants).
bool selects_by_computed_scores(const graph::Graph& g);

RestorePrecision restore_precision(const graph::Graph& g, Precision requested);

}  // namespace toonbox::pipeline
