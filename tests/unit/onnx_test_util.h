// Writes small ONNX models for tests with the generated protobuf classes (no Python).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "onnx.pb.h"

namespace toonbox::test {

class OnnxWriter {
 public:
  explicit OnnxWriter(int opset = 13) {
    model_.set_ir_version(opset >= 20 ? 9 : opset >= 15 ? 8 : 7);  // opset 20 needs IR 9
    model_.set_producer_name("toonbox-tests");
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  // A float input; -1 dims become symbolic ("d0", "d1", ...).
  OnnxWriter& input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = model_.mutable_graph()->add_input();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (size_t i = 0; i < dims.size(); ++i) {
      auto* d = tt->mutable_shape()->add_dim();
      if (dims[i] < 0)
        d->set_dim_param(name + "_d" + std::to_string(i));
      else
        d->set_dim_value(dims[i]);
    }
    return *this;
  }
  // `elem_type`: an onnx::TensorProto::DataType (bool and int outputs of comparisons, Cast).
  OnnxWriter& output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    auto* v = model_.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
    return *this;
  }
  OnnxWriter& init_bool(const std::string& name, const std::vector<int64_t>& dims,
                        const std::vector<bool>& v) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::BOOL);
    for (int64_t d : dims) t->add_dims(d);
    for (bool x : v) t->add_int32_data(x ? 1 : 0);
    return *this;
  }
  OnnxWriter& init(const std::string& name, const Tensor& t) {
    fill_tensor(model_.mutable_graph()->add_initializer(), name, t);
    return *this;
  }
  OnnxWriter& init_i64(const std::string& name, const std::vector<int64_t>& v,
                       bool scalar = false) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return *this;
  }
  OnnxWriter& init_f(const std::string& name, const std::vector<float>& v, bool scalar = false) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    if (!scalar) t->add_dims(static_cast<int64_t>(v.size()));
    for (float x : v) t->add_float_data(x);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs) {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(model_.graph().node_size()));
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  onnx::ModelProto& model() { return model_; }
  bool save(const std::string& path) const {
    std::ofstream f(path, std::ios::binary);
    return model_.SerializeToOstream(&f);
  }

  static void fill_tensor(onnx::TensorProto* t, const std::string& name, const Tensor& v) {
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : v.shape()) t->add_dims(d);
    t->set_raw_data(std::string(static_cast<const char*>(v.raw()), v.nbytes()));
  }

 private:
  onnx::ModelProto model_;
};

inline void attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void attr(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void attr(onnx::NodeProto& n, const std::string& name, const char* v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
inline void attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void attr(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

}  // namespace toonbox::test
