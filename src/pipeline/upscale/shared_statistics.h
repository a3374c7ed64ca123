// Whole-image statistics for tiled runs ("syncgap"): Real-CUGAN's squeeze-and-excitation
// blocks scale each channel by a function of that channel's mean over the whole feature
// map (ncnn Pooling global → Reduce mean over H and W). A tile sees only its part of the
// map, so tiles run alone give a different picture than the whole image. The tiled run
// therefore computes the means first, over all tiles, and then feeds them to every tile.
//
// How the engine sees it: as ordinary graphs, so no backend or Session changes. From the
// model's graph this makes
//   - a probe graph whose outputs are the feature maps the means are taken over (only
//     its shapes are used, to place each tile's window in the whole map);
//   - one level graph per mean k: means 0..k-1 become graph inputs, and the output is
//     the sum over H and W of feature k times a 0/1 mask input (the part of the map this
//     tile owns), so the owned parts of all tiles add up to the whole map's sum exactly;
//   - the final graph, where every mean is a graph input.
// Means are computed in order because each depends on the ones before it (mean 1 is
// taken after block 0 has scaled its channels). With convolutions without padding (Real-
// CUGAN is "valid" everywhere; toonbox pads its input as the authors do) and tile starts
// aligned to the network's stride, a tile's feature map is an exact window of the whole
// image's, so tiled output equals whole-image output up to float summation order.
#pragma once

#include <vector>

#include "core/status.h"
#include "graph/graph.h"
#include "graph/op.h"

namespace toonbox::pipeline {

class SharedStatistics {
 public:
  // Finds the global spatial means (Reduce mean over the spatial axes of `layout`, kept
  // dims, over run-time data) in graph order. A model without any has count() == 0.
  static SharedStatistics find(const graph::Graph& graph, graph::Layout layout);

  size_t count() const { return means_.size(); }
  graph::Layout layout() const { return layout_; }

  // Inputs: the model's. Outputs: the feature map of each mean, in order.
  graph::Graph probe_graph() const;
  // Inputs: the model's, then means 0..k-1 ([1,C,1,1] NCHW, [1,1,1,C] NHWC), then the
  // mask ([1,1,h,w] / [1,h,w,1], h x w feature k's size). Output: sum of feature k x mask
  // over H and W, shaped like a mean.
  graph::Graph level_graph(size_t k) const;
  // Inputs: the model's, then every mean. Outputs: the model's.
  graph::Graph final_graph() const;

 private:
  struct Mean {
    int reduce_output = -1;  // value ids in graph_
    int feature = -1;
  };
  graph::Graph graph_;
  graph::Layout layout_ = graph::Layout::kNCHW;
  std::vector<Mean> means_;

  // A copy of graph_ with means 0..k-1 replaced by new graph inputs.
  graph::Graph with_fed_means(size_t k) const;
};

}  // namespace toonbox::pipeline
