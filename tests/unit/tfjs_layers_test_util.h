// Builds small TF.js layers models (a Keras Functional or Sequential config, as the TF.js
// converter writes it, plus one float32 shard) for the layers importer's tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace toonbox::test {

class LayersModelBuilder {
 public:
  using J = nlohmann::ordered_json;

  LayersModelBuilder() {
    doc_ = {{"format", "layers-model"},
            {"generatedBy", "keras v2.10.0"},
            {"convertedBy", "toonbox tests"},
            {"modelTopology",
             {{"keras_version", "2.10.0"},
              {"backend", "tensorflow"},
              {"model_config",
               {{"class_name", "Functional"},
                {"config",
                 {{"name", "model"},
                  {"layers", J::array()},
                  {"input_layers", J::array()},
                  {"output_layers", J::array()}}}}}}},
            {"weightsManifest",
             J::array({{{"paths", J::array({"group1-shard1of1.bin"})}, {"weights", J::array()}}})}};
  }

  // An InputLayer [null, h, w, c]; -1 writes null.
  void input(const std::string& name, const Shape& shape) {
    J dims = J::array();
    for (int64_t d : shape) dims.push_back(d < 0 ? J() : J(d));
    layer("InputLayer", name,
          {{"batch_input_shape", dims}, {"dtype", "float32"}, {"sparse", false}}, {});
    config()["input_layers"].push_back(J::array({name, 0, 0}));
  }

  // A layer reading `inputs` (each [name, 0, 0, {}], one call).
  void layer(const std::string& cls, const std::string& name, J cfg,
             const std::vector<std::string>& inputs) {
    cfg["name"] = name;
    J call = J::array();
    for (const std::string& in : inputs) call.push_back(J::array({in, 0, 0, J::object()}));
    J nodes = inputs.empty() ? J::array() : J::array({call});
    config()["layers"].push_back(
        {{"class_name", cls}, {"config", cfg}, {"name", name}, {"inbound_nodes", nodes}});
  }

  // Conv2D `name` with HWIO kernel values and a bias (when given) stored in the shard.
  void conv2d(const std::string& name, const std::string& input, int64_t kh, int64_t kw,
              int64_t cin, int64_t filters, const std::vector<float>& kernel,
              const std::vector<float>& bias, const std::string& padding = "same",
              const std::string& activation = "linear") {
    layer("Conv2D", name,
          {{"filters", filters},
           {"kernel_size", {kh, kw}},
           {"strides", {1, 1}},
           {"padding", padding},
           {"data_format", "channels_last"},
           {"dilation_rate", {1, 1}},
           {"groups", 1},
           {"activation", activation},
           {"use_bias", !bias.empty()}},
          {input});
    weight(name + "/kernel", {kh, kw, cin, filters}, kernel);
    if (!bias.empty()) weight(name + "/bias", {filters}, bias);
  }

  void weight(const std::string& name, const Shape& shape, const std::vector<float>& v) {
    weights().push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"}});
    const auto* b = reinterpret_cast<const uint8_t*>(v.data());  // little-endian hosts
    shard_.insert(shard_.end(), b, b + v.size() * sizeof(float));
  }

  void outputs(const std::vector<std::string>& names) {
    for (const std::string& n : names) config()["output_layers"].push_back(J::array({n, 0, 0}));
  }

  void write(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "model.json") << doc_.dump(1);
    std::ofstream bin(dir / "group1-shard1of1.bin", std::ios::binary);
    bin.write(reinterpret_cast<const char*>(shard_.data()),
              static_cast<std::streamsize>(shard_.size()));
  }

  J& doc() { return doc_; }
  J& config() { return doc_["modelTopology"]["model_config"]["config"]; }
  J& layers() { return config()["layers"]; }
  J& weights() { return doc_["weightsManifest"][0]["weights"]; }
  std::vector<uint8_t>& shard() { return shard_; }

 private:
  J doc_;
  std::vector<uint8_t> shard_;
};

}  // namespace toonbox::test
