// model.json of a TensorFlow.js graph model, parsed and checked for shape but not yet
// for meaning: nodes with their inputs split into data and control edges, attributes
// kept as JSON and read through TfAttrs (which validates types), and the weights
// manifest. Everything here comes from an untrusted file; every accessor checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/tensor.h"

namespace toonbox::tfjs {

// Ordered, so that signature outputs keep the file's order.
using Json = nlohmann::ordered_json;

inline constexpr int64_t kDefaultMaxModelJsonBytes = int64_t{64} << 20;
// Nesting depth model.json may have: real files need about 10.
inline constexpr int kMaxJsonDepth = 64;

// A data input "name" or "name:1".
struct TfInput {
  std::string node;
  int index = 0;
};

struct TfNode {
  std::string name;
  std::string op;
  std::vector<TfInput> inputs;              // data inputs, in order
  std::vector<std::string> control_inputs;  // "^name" entries, without the caret
  Json attr;                                // object (possibly empty)
};

// How a weight is stored in the shard: as is, or quantized.
enum class Quantization : uint8_t { kNone, kFloat16, kUInt8, kUInt16 };

struct TfWeightSpec {
  std::string name;
  Shape shape;
  DType dtype = DType::kFloat32;  // kFloat32 or kInt32 after decoding
  Quantization quantization = Quantization::kNone;
  double min = 0.0, scale = 1.0;  // uint8/uint16: value = q * scale + min
  int64_t stored_bytes = 0;       // bytes this weight occupies in the shards
};

struct TfWeightGroup {
  std::vector<std::string> paths;  // shard files, relative to the model folder
  std::vector<TfWeightSpec> weights;
  int64_t stored_bytes = 0;  // sum over weights
};

struct TfjsModel {
  std::filesystem::path json_path;  // as given (for messages)
  std::filesystem::path dir;        // canonical folder holding model.json
  std::vector<TfNode> nodes;        // file order
  std::vector<TfWeightGroup> groups;
  // Output tensor names from the model's signature ("final_output:0"), if it has one.
  std::vector<std::string> signature_outputs;
};

// A model.json read and parsed as JSON (within the size and nesting limits), not yet
// checked for meaning: shared by the graph- and layers-model readers.
struct JsonDocument {
  Json doc;
  std::filesystem::path json_path;  // as given, or <folder>/model.json
  std::filesystem::path dir;        // canonical folder holding model.json
};
Result<JsonDocument> read_json_document(const std::string& path, int64_t max_bytes);

// "graph-model" or "layers-model": the document's 'format', or for files written before
// TF.js recorded it, what modelTopology holds (node list vs a Keras model config).
Result<std::string> model_json_kind(const Json& doc);

// The weightsManifest groups (none when the document has no manifest).
Result<std::vector<TfWeightGroup>> parse_weights_manifest(const Json& doc);

// Reads and parses `path` (model.json or the folder holding it). Errors do not yet name
// the file; the caller adds that context.
Result<TfjsModel> read_model_json(const std::string& path, int64_t max_bytes);

// Parses an already loaded document (split out for tests).
Result<TfjsModel> parse_model_json(const Json& doc);

// Rejects text nested deeper than `max_depth` before a parser sees it.
Status check_json_depth(const std::string& text, int max_depth);

// Standard or URL-safe base64 with optional padding, as protobuf's JSON mapping writes
// `bytes` fields.
Result<std::string> base64_decode(const std::string& text);

// Parses "name", "name:2" or "^name". Returns false for a control input.
Result<bool> parse_input_ref(const std::string& ref, TfInput* data, std::string* control);

// Typed reads of a node's attributes. A missing attribute returns the default when one
// is given and an error naming the node otherwise; a present attribute of the wrong
// type is always an error. Protobuf's JSON mapping omits default values, so an attr
// object without its field reads as 0 / false / "" / [].
class TfAttrs {
 public:
  explicit TfAttrs(const TfNode& node) : node_(node) {}

  bool has(const std::string& key) const;
  Result<std::string> str(const std::string& key, std::optional<std::string> def = {}) const;
  Result<int64_t> i(const std::string& key, std::optional<int64_t> def = {}) const;
  Result<float> f(const std::string& key, std::optional<float> def = {}) const;
  Result<bool> b(const std::string& key, std::optional<bool> def = {}) const;
  Result<std::vector<int64_t>> ints(const std::string& key,
                                    std::optional<std::vector<int64_t>> def = {}) const;
  Result<std::vector<std::string>> strs(const std::string& key,
                                        std::optional<std::vector<std::string>> def = {}) const;
  // "DT_FLOAT" -> kFloat32, "DT_INT32" -> kInt32; other types are unimplemented.
  Result<DType> type(const std::string& key, std::optional<DType> def = {}) const;
  // A TensorShapeProto ({"dim":[{"size":"1"},...]}); -1 marks an unknown dim.
  Result<Shape> shape(const std::string& key) const;

  Status error(const std::string& key, const std::string& what) const;

 private:
  Result<const Json*> field(const std::string& key, const char* kind) const;
  const TfNode& node_;
};

// "an integer", "a string", ...: a JSON value's type, for "expected X, got Y" messages.
const char* json_kind(const Json& j);

// Parses a TensorShapeProto JSON object; `what` names it in errors.
Result<Shape> parse_shape_proto(const Json& j, const std::string& what);
// An int64 written as a JSON string ("12") or number.
Result<int64_t> parse_json_int(const Json& j, const std::string& what);
// "DT_FLOAT" and friends.
Result<DType> parse_tf_dtype(const std::string& name, const std::string& what);

}  // namespace toonbox::tfjs
