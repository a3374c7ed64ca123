// ONNX DFT (opset 17: `axis` attribute, default 1; opset 20: `axis` as optional input 2,
// default -2) onto the Dft op. dft_length and axis must be constants at import time.
#include "import/onnx/onnx_ops.h"

namespace toonbox::onnx_import {

namespace {

Result<int64_t> constant_scalar_int(OnnxBuilder& b, const onnx::NodeProto& n, size_t i,
                                    const char* what) {
  auto v = b.constant_ints(n, i);
  if (!v.is_ok())
    return b.error(n, std::string(what) + " must be a constant: " + v.status().message());
  if (v->size() != 1)
    return b.error(n, std::string(what) + " must hold one value, got " + std::to_string(v->size()));
  return v->front();
}

Status dft(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(int64_t inverse, a.i("inverse", 0));
  TB_ASSIGN_OR_RETURN(int64_t onesided, a.i("onesided", 0));
  int64_t axis = 1;
  if (b.opset() >= 20) {
    if (a.has("axis")) return b.error(n, "opset 20 takes the axis as input 2, not an attribute");
    axis = -2;
    if (b.has_input(n, 2)) {
      TB_ASSIGN_OR_RETURN(axis, constant_scalar_int(b, n, 2, "the axis input"));
    }
  } else {
    TB_ASSIGN_OR_RETURN(axis, a.i("axis", 1));
  }
  if (axis < -64 || axis > 64)  // ranks are far smaller; keeps the int below exact
    return b.error(n, "axis " + std::to_string(axis) + " out of range");
  graph::DftParams p;
  p.axis = static_cast<int>(axis);
  p.inverse = inverse != 0;
  p.onesided = onesided != 0;
  if (p.inverse && p.onesided)
    return unimplemented("node '" + OnnxBuilder::node_name(n) +
                         "' (DFT): inverse with onesided=1 (ONNX defines no one-sided inverse; "
                         "write irfft as a full inverse DFT)");
  if (b.has_input(n, 1)) {
    TB_ASSIGN_OR_RETURN(p.length, constant_scalar_int(b, n, 1, "dft_length"));
    if (p.length < 1) return b.error(n, "dft_length " + std::to_string(p.length) + " < 1");
  }
  // ONNX allows onesided only for real input; for a complex one the op returns the
  // first n/2+1 bins of the full transform (the input's last dim is known only later).
  return b.bind_output(n, b.add(graph::OpKind::kDft, n, "", {x}, p));
}

}  // namespace

void add_signal_translators(std::map<std::string, Translator>& t) { t["DFT"] = dft; }

}  // namespace toonbox::onnx_import
