// Reading a layer's parameters the way its ncnn load_param does (pd.get(id, default),
// defaults that refer to earlier values), with the first type or range error kept so a
// layer reads all its parameters in straight-line code and checks once.
#pragma once

#include <string>
#include <vector>

#include "import/ncnn/ncnn_param.h"

namespace toonbox::ncnn {

class LayerParams {
 public:
  explicit LayerParams(const Layer& l) : l_(l) {}

  int i(int id, int def) { return keep(l_.params.get_int(id, def, l_.where()), def); }
  float f(int id, float def) { return keep(l_.params.get_float(id, def, l_.where()), def); }
  std::vector<int> ints(int id) { return keep(l_.params.get_ints(id, l_.where()), {}); }
  std::vector<float> floats(int id) { return keep(l_.params.get_floats(id, l_.where()), {}); }
  std::string str(int id) { return keep(l_.params.get_string(id, l_.where()), {}); }

  // Records "parameter <id> (<what>): got <v>, expected <lo> to <hi>" unless lo <= v <= hi.
  void range(int v, int lo, int hi, int id, const char* what);
  // The first problem found, or ok.
  const Status& status() const { return status_; }

 private:
  template <typename T>
  T keep(Result<T> r, T def) {
    if (r.is_ok()) return std::move(r).value();
    if (status_.is_ok()) status_ = r.status();
    return def;
  }

  const Layer& l_;
  Status status_;
};

// Sizes, strides and counts a layer may have: generous for real models, small enough that
// products of a few of them cannot overflow.
inline constexpr int kMaxChannels = 1 << 20;
inline constexpr int kMaxKernel = 1 << 12;

}  // namespace toonbox::ncnn
