#include "import/ncnn/ncnn_builder.h"

namespace toonbox::ncnn {

void Builder::bind(const Layer& l, size_t i, BlobValue v) {
  const int blob = l.tops[i];
  // The IR value takes the blob's name unless it already has a producer's name that
  // another blob shares (Split binds one value to several blobs).
  graph::Value& value = graph_.value(v.value);
  if (value.producer >= 0 && l.type != "Split") value.name = net_.blobs[blob].name;
  blobs_[blob] = v;
}

int Builder::add(graph::OpKind kind, const Layer& l, const std::string& suffix,
                 std::vector<int> inputs, graph::OpParams params) {
  return graph_.add_node(kind, l.name + suffix, std::move(inputs), std::move(params));
}

int Builder::constant(const Layer& l, const std::string& suffix, Tensor value) {
  return graph_.add_constant(l.name + suffix, std::move(value));
}

int Builder::constant_i64(const Layer& l, const std::vector<int64_t>& v) {
  return constant(l, "#" + std::to_string(counter_++),
                  Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

int Builder::constant_i32(const Layer& l, const std::vector<int32_t>& v) {
  return constant(l, "#" + std::to_string(counter_++),
                  Tensor::from_vector<int32_t>({static_cast<int64_t>(v.size())}, v));
}

int Builder::dim_of(const Layer& l, int x, int index) {
  const int shape =
      add(graph::OpKind::kShape, l, "/shape" + std::to_string(counter_++), {x}, graph::NoParams{});
  return add(graph::OpKind::kGather, l, "/dim" + std::to_string(index),
             {shape, constant_i32(l, {index})}, graph::GatherParams{0});
}

Status Builder::error(const Layer& l, const std::string& what) const {
  return data_loss(l.where() + ": " + what);
}

Status Builder::unsupported(const Layer& l, const std::string& what) const {
  return unimplemented(l.where() + ": " + what);
}

Status Builder::expect_blobs(const Layer& l, size_t bottoms, size_t tops) const {
  if (l.bottoms.size() != bottoms || l.tops.size() != tops)
    return error(l, "got " + std::to_string(l.bottoms.size()) + " inputs and " +
                        std::to_string(l.tops.size()) + " outputs, expected " +
                        std::to_string(bottoms) + " and " + std::to_string(tops));
  return Status::ok();
}

}  // namespace toonbox::ncnn
