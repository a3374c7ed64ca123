#include "import/ncnn/ncnn_layers.h"

namespace toonbox::ncnn {

const LayerTable& layer_table() {
  static const LayerTable table = [] {
    LayerTable t;
    add_conv_layers(t);
    add_tensor_layers(t);
    add_elementwise_layers(t);
    add_composite_layers(t);
    return t;
  }();
  return table;
}

int channel_constant(Builder& b, const Layer& l, const std::string& suffix,
                     const std::vector<float>& values) {
  const auto c = static_cast<int64_t>(values.size());
  const Shape shape = c == 1 ? Shape{1} : Shape{1, c, 1, 1};
  return b.constant(l, suffix, Tensor::from_vector<float>(shape, values));
}

}  // namespace toonbox::ncnn
