// An ncnn network description (.param text or .param.bin binary), parsed and checked
// for structure but not yet for meaning: layers in file order with their input and
// output blobs and their `id=value` parameter dictionaries.
//
// Everything here comes from an untrusted file. The parsers check every count against
// the limits before storing anything, every blob reference against the blobs produced
// so far, and every value's syntax; errors name the file, the line (text form) or byte
// offset (binary form) and the layer, as "got [..] expected [..]".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::ncnn {

// The first value of every current ncnn param file (ncnn refuses older ones too).
inline constexpr int32_t kParamMagic = 7767517;
// ncnn's NCNN_MAX_PARAM_COUNT: parameter ids are 0..31.
inline constexpr int kMaxParamId = 31;
// ncnn reads at most 255 characters of a string parameter and 15 of any other value.
inline constexpr int kMaxParamStringLength = 255;
inline constexpr int kMaxParamValueLength = 15;

// The little-endian uint32 at `at` (callers check that 4 bytes are there): every ncnn
// binary format is little-endian.
inline uint32_t load_u32le(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + k])) << (8 * k);
  return v;
}

struct ParamLimits {
  int64_t max_param_bytes = int64_t{16} << 20;  // the .param / .param.bin file
  int max_layers = 100000;
  int max_blobs = 200000;
  int max_layer_blobs = 4096;    // inputs or outputs of one layer
  int max_array_length = 65536;  // elements of one array parameter
};

// One parameter value. The text form says whether each number is an int or a float
// (ncnn: a float has a '.' or an 'e'); the binary form stores 32 bits and leaves the
// meaning to the layer, so its numbers are kRaw.
struct ParamValue {
  enum class Kind : uint8_t { kInt, kFloat, kRaw };
  struct Element {
    Kind kind = Kind::kInt;
    uint32_t bits = 0;  // int32 or float bits
  };
  bool is_array = false;
  bool is_string = false;
  std::vector<Element> elements;  // one for a scalar
  std::string text;               // is_string
};

// A layer's parameter dictionary with typed, checked accessors. Asking for an int where
// the file wrote a float (or the reverse) is an error naming the layer and the id,
// except for 0, whose bits are the same in both: ncnn reads the other member of a union
// there, so any other value would be garbage in ncnn too.
class ParamDict {
 public:
  void set(int id, ParamValue v) { values_[id] = std::move(v); }
  bool has(int id) const { return values_.count(id) != 0; }
  const std::map<int, ParamValue>& values() const { return values_; }

  // `where` names the layer for messages (Layer::where()).
  Result<int> get_int(int id, int def, const std::string& where) const;
  Result<float> get_float(int id, float def, const std::string& where) const;
  // Array parameters; empty when absent. A scalar is refused.
  Result<std::vector<int>> get_ints(int id, const std::string& where) const;
  Result<std::vector<float>> get_floats(int id, const std::string& where) const;
  // String parameters; empty when absent.
  Result<std::string> get_string(int id, const std::string& where) const;

 private:
  Result<const ParamValue*> find(int id, bool want_array, const std::string& where) const;
  std::map<int, ParamValue> values_;
};

struct Layer {
  std::string type;          // "Convolution"; from the type index in the binary form
  std::string name;          // from the file, the .id.h, or "layer<i>" when neither names it
  std::vector<int> bottoms;  // blob indices
  std::vector<int> tops;
  ParamDict params;
  int index = 0;
  int line = 0;  // text form: the line the layer starts on; 0 for the binary form

  // "layer 'conv1' (Convolution, line 5)" for messages.
  std::string where() const;
};

struct Blob {
  std::string name;
  int producer = -1;  // layer index
  std::vector<int> consumers;
};

struct Net {
  std::string file;  // for messages
  bool binary = false;
  std::vector<Layer> layers;
  std::vector<Blob> blobs;
};

// The text form: `7767517`, `<layers> <blobs>`, then one layer a line:
// `Type name <#bottoms> <#tops> bottoms... tops... id=value...`.
Result<Net> parse_param_text(const std::string& text, const std::string& file,
                             const ParamLimits& limits = {});

// Names from an ncnn2mem .id.h (`const int LAYER_conv1 = 3;`, `const int BLOB_data = 0;`).
struct IdNames {
  std::map<int, std::string> layers, blobs;
};
Result<IdNames> parse_id_header(const std::string& text, const std::string& file);

// The binary form, with names from its .id.h when given.
Result<Net> parse_param_binary(const std::string& bytes, const std::string& file,
                               const IdNames* names, const ParamLimits& limits = {});

}  // namespace toonbox::ncnn
