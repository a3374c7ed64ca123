#include "import/ncnn/ncnn_param.h"

#include <bit>
#include <cstring>

#include "import/ncnn/ncnn_layer_params.h"
#include "import/ncnn/ncnn_param_internal.h"

namespace toonbox::ncnn {

namespace {

using Kind = ParamValue::Kind;

std::string element_text(const ParamValue::Element& e) {
  if (e.kind == Kind::kFloat) return std::to_string(std::bit_cast<float>(e.bits));
  return std::to_string(static_cast<int32_t>(e.bits));
}

// The element as the layer wants it; 0 reads the same either way (see ParamDict).
Status check_kind(const ParamValue::Element& e, bool want_float, int id, const std::string& where) {
  if (e.kind == Kind::kRaw || e.bits == 0) return Status::ok();
  if (want_float && e.kind == Kind::kInt)
    return data_loss(where + ": parameter " + std::to_string(id) + ": got int " + element_text(e) +
                     ", expected a float (write it with a '.', as " + element_text(e) + ".0)");
  if (!want_float && e.kind == Kind::kFloat)
    return data_loss(where + ": parameter " + std::to_string(id) + ": got float " +
                     element_text(e) + ", expected an int");
  return Status::ok();
}

}  // namespace

std::string Layer::where() const {
  std::string s = "layer '" + name + "' (" + type;
  if (line > 0) s += ", line " + std::to_string(line);
  return s + ")";
}

Result<const ParamValue*> ParamDict::find(int id, bool want_array, const std::string& where) const {
  auto it = values_.find(id);
  if (it == values_.end()) return static_cast<const ParamValue*>(nullptr);
  const ParamValue& v = it->second;
  const char* expected = want_array ? "an array" : "a number";
  if (v.is_string)
    return data_loss(where + ": parameter " + std::to_string(id) + ": got the string '" + v.text +
                     "', expected " + expected);
  if (v.is_array != want_array)
    return data_loss(where + ": parameter " + std::to_string(id) + ": got " +
                     (v.is_array ? "an array" : "a single number") + ", expected " + expected);
  return &v;
}

Result<int> ParamDict::get_int(int id, int def, const std::string& where) const {
  TB_ASSIGN_OR_RETURN(const ParamValue* v, find(id, false, where));
  if (!v) return def;
  TB_RETURN_IF_ERROR(check_kind(v->elements[0], false, id, where));
  return static_cast<int>(static_cast<int32_t>(v->elements[0].bits));
}

Result<float> ParamDict::get_float(int id, float def, const std::string& where) const {
  TB_ASSIGN_OR_RETURN(const ParamValue* v, find(id, false, where));
  if (!v) return def;
  TB_RETURN_IF_ERROR(check_kind(v->elements[0], true, id, where));
  return std::bit_cast<float>(v->elements[0].bits);
}

Result<std::vector<int>> ParamDict::get_ints(int id, const std::string& where) const {
  TB_ASSIGN_OR_RETURN(const ParamValue* v, find(id, true, where));
  std::vector<int> out;
  if (!v) return out;
  for (const auto& e : v->elements) {
    TB_RETURN_IF_ERROR(check_kind(e, false, id, where));
    out.push_back(static_cast<int32_t>(e.bits));
  }
  return out;
}

Result<std::vector<float>> ParamDict::get_floats(int id, const std::string& where) const {
  TB_ASSIGN_OR_RETURN(const ParamValue* v, find(id, true, where));
  std::vector<float> out;
  if (!v) return out;
  for (const auto& e : v->elements) {
    TB_RETURN_IF_ERROR(check_kind(e, true, id, where));
    out.push_back(std::bit_cast<float>(e.bits));
  }
  return out;
}

Result<std::string> ParamDict::get_string(int id, const std::string& where) const {
  auto it = values_.find(id);
  if (it == values_.end()) return std::string();
  if (!it->second.is_string)
    return data_loss(where + ": parameter " + std::to_string(id) +
                     ": got a number, expected a string");
  return it->second.text;
}

void LayerParams::range(int v, int lo, int hi, int id, const char* what) {
  if (!status_.is_ok() || (v >= lo && v <= hi)) return;
  status_ = data_loss(l_.where() + ": parameter " + std::to_string(id) + " (" + what + "): got " +
                      std::to_string(v) + ", expected " + std::to_string(lo) + " to " +
                      std::to_string(hi));
}

namespace detail {

Status check_header_counts(int64_t layers, int64_t blobs, const ParamLimits& limits,
                           const std::string& where) {
  if (layers <= 0 || layers > limits.max_layers)
    return data_loss(where + ": got " + std::to_string(layers) + " layers, expected 1 to " +
                     std::to_string(limits.max_layers));
  if (blobs <= 0 || blobs > limits.max_blobs)
    return data_loss(where + ": got " + std::to_string(blobs) + " blobs, expected 1 to " +
                     std::to_string(limits.max_blobs));
  return Status::ok();
}

Status check_layer_blob_counts(int64_t bottoms, int64_t tops, const ParamLimits& limits,
                               const std::string& where) {
  for (auto [count, what] : {std::pair{bottoms, "inputs"}, std::pair{tops, "outputs"}}) {
    if (count < 0 || count > limits.max_layer_blobs)
      return data_loss(where + ": got " + std::to_string(count) + " " + what + ", expected 0 to " +
                       std::to_string(limits.max_layer_blobs));
  }
  return Status::ok();
}

Status link_bottom(Net& net, Layer& layer, int blob) {
  Blob& b = net.blobs[blob];
  if (b.producer < 0)
    return data_loss(net.file + ": " + layer.where() + ": input blob '" + b.name +
                     "' is not produced by an earlier layer");
  b.consumers.push_back(layer.index);
  layer.bottoms.push_back(blob);
  return Status::ok();
}

Status link_top(Net& net, Layer& layer, int blob) {
  Blob& b = net.blobs[blob];
  if (b.producer >= 0)
    return data_loss(net.file + ": " + layer.where() + ": output blob '" + b.name +
                     "' is already produced by " + net.layers[b.producer].where());
  b.producer = layer.index;
  layer.tops.push_back(blob);
  return Status::ok();
}

}  // namespace detail

}  // namespace toonbox::ncnn
