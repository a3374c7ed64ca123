// Builds small ncnn models on disk for the importer's tests: text params written as
// strings, binary params and .bin weights byte by byte in ncnn's little-endian layouts
// (paramdict.cpp, modelbin.cpp), with every storage tag.
#pragma once

#include <bit>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "compile/fusion.h"
#include "compile/specialize.h"
#include "import/ncnn/ncnn_importer.h"
#include "ops/reference.h"
#include "unit/image_test_util.h"

namespace toonbox::test {

class NcnnBytes {
 public:
  NcnnBytes& i32(int32_t v) {
    for (int k = 0; k < 4; ++k)
      b_.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * k)) & 0xff));
    return *this;
  }
  NcnnBytes& u32(uint32_t v) { return i32(static_cast<int32_t>(v)); }
  NcnnBytes& f32(float v) { return u32(std::bit_cast<uint32_t>(v)); }
  NcnnBytes& u8(uint8_t v) {
    b_.push_back(static_cast<char>(v));
    return *this;
  }
  NcnnBytes& pad4() {
    while (b_.size() % 4) b_.push_back('\0');
    return *this;
  }

  // .bin arrays, as ModelBin::load(w, type) reads them.
  NcnnBytes& raw(const std::vector<float>& v) {  // type 1
    for (float x : v) f32(x);
    return *this;
  }
  NcnnBytes& tagged_f32(const std::vector<float>& v, uint32_t tag = 0) {
    u32(tag);
    return raw(v);
  }
  NcnnBytes& tagged_f16(const std::vector<float>& v) {
    u32(0x01306B47);
    for (float x : v) {
      const uint16_t h = float_to_half(x);
      u8(h & 0xff).u8(h >> 8);
    }
    return pad4();
  }
  NcnnBytes& tagged_i8(const std::vector<int8_t>& v) {
    u32(0x000D4B38);
    for (int8_t x : v) u8(static_cast<uint8_t>(x));
    return pad4();
  }
  // The quantization table form: any other non-zero tag, 256 floats, uint8 indices.
  NcnnBytes& tagged_table(const std::vector<float>& table, const std::vector<uint8_t>& index,
                          uint32_t tag = 0x00000001) {
    u32(tag);
    for (int k = 0; k < 256; ++k) f32(k < static_cast<int>(table.size()) ? table[k] : 0.f);
    for (uint8_t i : index) u8(i);
    return pad4();
  }

  const std::string& str() const { return b_; }
  size_t size() const { return b_.size(); }

 private:
  std::string b_;
};

inline void write_text(const std::string& path, const std::string& s) {
  std::ofstream(path, std::ios::binary).write(s.data(), static_cast<std::streamsize>(s.size()));
}

// An ncnn model written to a temp folder: model.param (or .param.bin) and model.bin.
struct NcnnFiles {
  image_test::TempDir dir;
  std::string param, bin;
  NcnnFiles(const std::string& param_bytes, const std::string& bin_bytes, bool binary = false)
      : param(dir.file(binary ? "model.param.bin" : "model.param")), bin(dir.file("model.bin")) {
    write_text(param, param_bytes);
    write_text(bin, bin_bytes);
  }
  Result<graph::Graph> import() const { return ncnn::import_ncnn_model(param, bin); }
};

// Imports, specializes for `x` and runs the reference kernels: the IR's meaning of the
// ncnn file, for comparing with a test's own reading of ncnn's layer code.
inline Result<std::vector<Tensor>> run_ncnn(const std::string& param_text, const std::string& bin,
                                            const Tensor& x) {
  NcnnFiles files(param_text, bin);
  TB_ASSIGN_OR_RETURN(graph::Graph g, files.import());
  TB_ASSIGN_OR_RETURN(graph::Graph s, compile::specialize(g, {x.shape()}));
  return ops::reference_run(s, {x});
}

}  // namespace toonbox::test
