// Builds small TF.js graph models on disk (model.json + one shard) for the importer's
// tests, with the same encodings the TF.js converter writes: base64 string attrs, ints
// as strings, float16 / uint8 / uint16 quantized weights.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dtype.h"
#include "core/tensor.h"

namespace toonbox::test {

using OJson = nlohmann::ordered_json;

inline std::string base64(const std::string& s) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i + 1 == s.size()) {
    const uint32_t v = uint8_t(s[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == s.size()) {
    const uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += "=";
  }
  return out;
}

// AttrValue encodings.
inline OJson attr_s(const std::string& s) { return {{"s", base64(s)}}; }
inline OJson attr_i(int64_t v) { return {{"i", std::to_string(v)}}; }
inline OJson attr_f(float v) { return {{"f", v}}; }
inline OJson attr_b(bool v) { return {{"b", v}}; }
inline OJson attr_type(const std::string& t) { return {{"type", t}}; }
inline OJson attr_ints(const std::vector<int64_t>& v) {
  OJson list = OJson::array();
  for (int64_t x : v) list.push_back(std::to_string(x));
  return {{"list", {{"i", list}}}};
}
inline OJson attr_strs(const std::vector<std::string>& v) {
  OJson list = OJson::array();
  for (const auto& x : v) list.push_back(base64(x));
  return {{"list", {{"s", list}}}};
}
inline OJson shape_proto(const Shape& shape) {
  OJson dims = OJson::array();
  for (int64_t d : shape) dims.push_back({{"size", std::to_string(d)}});
  return shape.empty() ? OJson::object() : OJson{{"dim", dims}};
}

enum class WeightFormat { kFloat32, kFloat16, kUInt8, kUInt16 };
inline void PrintTo(WeightFormat f, std::ostream* os) {
  static const char* const kNames[] = {"float32", "float16", "uint8", "uint16"};
  *os << kNames[static_cast<int>(f)];
}

// Attributes of a Conv2D-like node (NHWC).
inline OJson conv_attrs(int stride, const std::string& padding, int dilation = 1) {
  return {{"strides", attr_ints({1, stride, stride, 1})},
          {"dilations", attr_ints({1, dilation, dilation, 1})},
          {"padding", attr_s(padding)},
          {"data_format", attr_s("NHWC")},
          {"explicit_paddings", {{"list", OJson::object()}}},
          {"T", attr_type("DT_FLOAT")}};
}

class TfjsModelBuilder {
 public:
  TfjsModelBuilder() {
    doc_ = {{"format", "graph-model"},
            {"generatedBy", "2.3.0"},
            {"convertedBy", "toonbox tests"},
            {"modelTopology",
             {{"node", OJson::array()},
              {"library", OJson::object()},
              {"versions", {{"producer", 440}}}}},
            {"weightsManifest", OJson::array({{{"paths", OJson::array({"group1-shard1of1.bin"})},
                                               {"weights", OJson::array()}}})}};
  }

  void placeholder(const std::string& name, const Shape& shape) {
    node(name, "Placeholder", {},
         {{"dtype", attr_type("DT_FLOAT")}, {"shape", {{"shape", shape_proto(shape)}}}});
  }

  void node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs,
            OJson attrs = OJson::object()) {
    OJson n = {{"name", name}, {"op", op}};
    if (!inputs.empty()) n["input"] = inputs;
    n["attr"] = std::move(attrs);
    doc_["modelTopology"]["node"].push_back(std::move(n));
  }

  // A float32 Const node and its weight, stored as `format`. Returns the values TF.js
  // decodes (what the imported graph must compute with).
  std::vector<float> const_f32(const std::string& name, const Shape& shape,
                               const std::vector<float>& v,
                               WeightFormat format = WeightFormat::kFloat32) {
    const_node(name, shape, "DT_FLOAT");
    OJson spec = {{"name", name}, {"shape", shape}, {"dtype", "float32"}};
    std::vector<float> decoded(v.size());
    if (format == WeightFormat::kFloat32) {
      for (float x : v) append(&x, 4);
      decoded = v;
    } else if (format == WeightFormat::kFloat16) {
      spec["quantization"] = {{"dtype", "float16"}, {"original_dtype", "float32"}};
      for (size_t i = 0; i < v.size(); ++i) {
        const uint16_t h = float_to_half(v[i]);
        append(&h, 2);
        decoded[i] = half_to_float(h);
      }
    } else {
      const bool u8 = format == WeightFormat::kUInt8;
      const double levels = u8 ? 255.0 : 65535.0;
      const float lo = *std::min_element(v.begin(), v.end());
      const float hi = *std::max_element(v.begin(), v.end());
      const double scale = hi > lo ? (static_cast<double>(hi) - lo) / levels : 1.0;
      spec["quantization"] = {{"dtype", u8 ? "uint8" : "uint16"},
                              {"min", lo},
                              {"scale", scale},
                              {"original_dtype", "float32"}};
      for (size_t i = 0; i < v.size(); ++i) {
        const auto q = static_cast<uint32_t>(std::lround((v[i] - static_cast<double>(lo)) / scale));
        if (u8) {
          const uint8_t b = static_cast<uint8_t>(q);
          append(&b, 1);
        } else {
          const uint16_t s = static_cast<uint16_t>(q);
          append(&s, 2);
        }
        decoded[i] = static_cast<float>(q * scale + static_cast<double>(lo));
      }
    }
    weights().push_back(spec);
    return decoded;
  }

  void const_i32(const std::string& name, const Shape& shape, const std::vector<int32_t>& v) {
    const_node(name, shape, "DT_INT32");
    weights().push_back({{"name", name}, {"shape", shape}, {"dtype", "int32"}});
    for (int32_t x : v) append(&x, 4);
  }

  // Writes model.json and group1-shard1of1.bin into `dir` (created if needed).
  void write(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "model.json") << doc_.dump(1);
    std::ofstream bin(dir / "group1-shard1of1.bin", std::ios::binary);
    bin.write(reinterpret_cast<const char*>(shard_.data()),
              static_cast<std::streamsize>(shard_.size()));
  }

  OJson& doc() { return doc_; }
  OJson& weights() { return doc_["weightsManifest"][0]["weights"]; }
  std::vector<uint8_t>& shard() { return shard_; }

 private:
  void const_node(const std::string& name, const Shape& shape, const std::string& dtype) {
    node(name, "Const", {},
         {{"value", {{"tensor", {{"dtype", dtype}, {"tensorShape", shape_proto(shape)}}}}},
          {"dtype", attr_type(dtype)}});
  }
  void append(const void* p, size_t n) {  // little-endian hosts only, as the tests run on
    const auto* b = static_cast<const uint8_t*>(p);
    shard_.insert(shard_.end(), b, b + n);
  }

  OJson doc_;
  std::vector<uint8_t> shard_;
};

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("toonbox_tfjs_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace toonbox::test
