// The state of one ncnn -> IR translation: the graph being built and, per ncnn blob, its
// IR value and ncnn's view of it.
//
// ncnn blobs hold one image. A 3-D blob is CHW and becomes IR [N,C,H,W] (N = 1 in the
// model, bindable to a batch later). A 1-D blob of W values (what global pooling and
// InnerProduct make) becomes IR [N,W,1,1]: ncnn broadcasts a 1-D blob against a 3-D one
// per channel when W equals C, which is then plain numpy broadcasting in the IR.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/ncnn/ncnn_param.h"

namespace toonbox::ncnn {

struct BlobValue {
  int value = -1;         // IR value id; -1 until produced
  int rank = 3;           // ncnn dims: 3 (CHW) or 1 (W)
  int64_t channels = -1;  // C of a 3-D blob or W of a 1-D one when known at import, else -1
};

class Builder {
 public:
  explicit Builder(const Net& net) : net_(net), blobs_(net.blobs.size()) {}

  graph::Graph& graph() { return graph_; }
  const Net& net() const { return net_; }

  // The blob a layer reads as input `i` / binds as output `i` (counts checked first).
  const BlobValue& input(const Layer& l, size_t i) const { return blobs_[l.bottoms[i]]; }
  void bind(const Layer& l, size_t i, BlobValue v);
  const BlobValue& blob(int index) const { return blobs_[index]; }

  // A node named after the layer, plus a suffix for the parts of a lowered layer.
  int add(graph::OpKind kind, const Layer& l, const std::string& suffix, std::vector<int> inputs,
          graph::OpParams params);
  int constant(const Layer& l, const std::string& suffix, Tensor value);
  int constant_i64(const Layer& l, const std::vector<int64_t>& v);
  int constant_i32(const Layer& l, const std::vector<int32_t>& v);
  // Gather(Shape(x), [index]): a 1-D int32 tensor of one element, folded at specialization.
  int dim_of(const Layer& l, int x, int index);

  // "layer 'x' (Type, line N): what" as data loss (a bad file) or unimplemented; the
  // importer adds the file's name.
  Status error(const Layer& l, const std::string& what) const;
  Status unsupported(const Layer& l, const std::string& what) const;
  // The layer has `bottoms` inputs and `tops` outputs, or a clear error.
  Status expect_blobs(const Layer& l, size_t bottoms, size_t tops) const;

 private:
  const Net& net_;
  graph::Graph graph_;
  std::vector<BlobValue> blobs_;
  int counter_ = 0;
};

}  // namespace toonbox::ncnn
