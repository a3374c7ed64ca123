// The binary .param.bin form (ncnn2mem's output, as Net::load_param_bin and
// ParamDict::load_param_bin read it): little-endian int32 fields, layer types as
// indices, blobs as indices, and no names; those come from the matching .id.h.
#include <cstring>
#include <regex>
#include <sstream>

#include "import/ncnn/ncnn_layer_types.h"
#include "import/ncnn/ncnn_param.h"
#include "import/ncnn/ncnn_param_internal.h"

namespace toonbox::ncnn {

namespace {

constexpr int32_t kEndOfParams = -233;
constexpr int32_t kCustomLayerBit = 1 << 8;

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& file) : b_(bytes), file_(file) {}

  size_t offset() const { return p_; }
  size_t left() const { return b_.size() - p_; }
  Status error(const std::string& what) const {
    return data_loss(file_ + ": offset " + std::to_string(p_) + ": " + what);
  }
  Result<int32_t> i32(const std::string& what) {
    if (left() < 4)
      return error("got the end of the file (" + std::to_string(left()) +
                   " bytes left), expected " + what + " (4 bytes)");
    const uint32_t v = load_u32le(b_, p_);
    p_ += 4;
    return static_cast<int32_t>(v);
  }
  Result<std::string> bytes(size_t n, const std::string& what) {
    if (left() < n)
      return error("got " + std::to_string(left()) + " bytes left, expected " + what + " (" +
                   std::to_string(n) + " bytes)");
    std::string s = b_.substr(p_, n);
    p_ += n;
    return s;
  }

 private:
  const std::string& b_;
  const std::string& file_;
  size_t p_ = 0;
};

Status read_params(Reader& r, const ParamLimits& limits, const std::string& where,
                   ParamDict* dict) {
  for (;;) {
    TB_ASSIGN_OR_RETURN(int32_t raw, r.i32(where + ": a parameter id or -233 (end of parameters)"));
    if (raw == kEndOfParams) return Status::ok();
    const bool is_string = raw <= -23400, is_array = raw <= -23300;
    const int64_t id = is_string ? -int64_t{raw} - 23400 : is_array ? -int64_t{raw} - 23300 : raw;
    if (id < 0 || id > kMaxParamId)
      return r.error(where + ": got parameter id " + std::to_string(raw) + ", expected 0 to " +
                     std::to_string(kMaxParamId) +
                     " (-23300/-23400 minus that for arrays/strings)");
    if (dict->has(static_cast<int>(id)))
      return r.error(where + ": parameter " + std::to_string(id) + " is given twice");
    ParamValue v;
    if (is_string) {
      TB_ASSIGN_OR_RETURN(int32_t len, r.i32(where + ": a string length"));
      if (len < 0 || len > kMaxParamStringLength)
        return r.error(where + ": parameter " + std::to_string(id) + ": got string length " +
                       std::to_string(len) + ", expected 0 to " +
                       std::to_string(kMaxParamStringLength));
      TB_ASSIGN_OR_RETURN(std::string s,
                          r.bytes((static_cast<size_t>(len) + 3) / 4 * 4, where + ": a string"));
      s.resize(static_cast<size_t>(len));
      v.is_string = true;
      v.text = s.substr(0, s.find('\0'));  // ncnn keeps the C string
    } else {
      int32_t len = 1;
      if (is_array) {
        TB_ASSIGN_OR_RETURN(len, r.i32(where + ": an array length"));
        if (len < 0 || len > limits.max_array_length)
          return r.error(where + ": parameter " + std::to_string(id) + ": got array length " +
                         std::to_string(len) + ", expected 0 to " +
                         std::to_string(limits.max_array_length));
        if (r.left() < static_cast<size_t>(len) * 4)
          return r.error(where + ": parameter " + std::to_string(id) + ": got " +
                         std::to_string(r.left()) + " bytes left, expected " + std::to_string(len) +
                         " array elements (" + std::to_string(len * 4) + " bytes)");
      }
      v.is_array = is_array;
      for (int32_t k = 0; k < len; ++k) {
        TB_ASSIGN_OR_RETURN(int32_t bits, r.i32(where + ": a parameter value"));
        v.elements.push_back({ParamValue::Kind::kRaw, static_cast<uint32_t>(bits)});
      }
    }
    dict->set(static_cast<int>(id), std::move(v));
  }
}

std::string name_or(const std::map<int, std::string>* names, int index, const char* prefix) {
  if (names) {
    auto it = names->find(index);
    if (it != names->end()) return it->second;
  }
  return prefix + std::to_string(index);
}

}  // namespace

Result<IdNames> parse_id_header(const std::string& text, const std::string& file) {
  // ncnn2mem writes `const int LAYER_<name> = <i>;` and `const int BLOB_<name> = <i>;`,
  // one a line, inside a namespace; other lines are the guard and namespace.
  static const std::regex kLine(R"(^\s*const\s+int\s+(LAYER|BLOB)_(\w+)\s*=\s*(-?\d+)\s*;\s*$)");
  IdNames names;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (line.size() > 1024 || !std::regex_match(line, m, kLine)) continue;
    const std::string digits = m[3].str();
    if (digits.size() > 9 || digits[0] == '-')
      return data_loss(file + ": line " + std::to_string(n) + ": got index " + digits +
                       ", expected 0 to 999999999");
    const int index = std::stoi(digits);
    auto& table = m[1] == "LAYER" ? names.layers : names.blobs;
    if (!table.emplace(index, m[2].str()).second)
      return data_loss(file + ": line " + std::to_string(n) + ": " + m[1].str() + " index " +
                       digits + " is named twice ('" + table[index] + "' and '" + m[2].str() +
                       "')");
  }
  if (names.layers.empty() && names.blobs.empty())
    return data_loss(file +
                     ": got no `const int LAYER_<name> = <index>;` or BLOB_ lines, expected "
                     "the .id.h that ncnn2mem writes beside a .param.bin");
  return names;
}

Result<Net> parse_param_binary(const std::string& bytes, const std::string& file,
                               const IdNames* names, const ParamLimits& limits) {
  Net net;
  net.file = file;
  net.binary = true;
  Reader r(bytes, file);
  TB_ASSIGN_OR_RETURN(int32_t magic, r.i32("the magic number"));
  if (magic != kParamMagic)
    return data_loss(file + ": got magic " + std::to_string(magic) + ", expected " +
                     std::to_string(kParamMagic) + " (an ncnn .param.bin)");
  TB_ASSIGN_OR_RETURN(int32_t layer_count, r.i32("the layer count"));
  TB_ASSIGN_OR_RETURN(int32_t blob_count, r.i32("the blob count"));
  TB_RETURN_IF_ERROR(detail::check_header_counts(layer_count, blob_count, limits, file));
  // Each layer takes at least 16 bytes (type, two counts, the end marker) and each blob
  // at least the 4 of the output index that creates it: check before allocating.
  if (static_cast<int64_t>(layer_count) * 16 > static_cast<int64_t>(r.left()) ||
      static_cast<int64_t>(blob_count) * 4 > static_cast<int64_t>(r.left()))
    return data_loss(
        file + ": got " + std::to_string(r.left()) + " bytes after the header, " +
        "expected at least " +
        std::to_string(std::max<int64_t>(int64_t{layer_count} * 16, int64_t{blob_count} * 4)) +
        " for " + std::to_string(layer_count) + " layers and " + std::to_string(blob_count) +
        " blobs");
  net.blobs.resize(static_cast<size_t>(blob_count));
  for (int i = 0; i < blob_count; ++i)
    net.blobs[i].name = name_or(names ? &names->blobs : nullptr, i, "blob");
  for (int i = 0; i < layer_count; ++i) {
    Layer layer;
    layer.index = i;
    layer.name = name_or(names ? &names->layers : nullptr, i, "layer");
    const std::string at = "layer " + std::to_string(i) + " ('" + layer.name + "')";
    TB_ASSIGN_OR_RETURN(int32_t type, r.i32(at + ": its type index"));
    if (type & kCustomLayerBit)
      return r.error(at + ": custom layer type " + std::to_string(type & ~kCustomLayerBit) +
                     " (registered by an application, not part of ncnn) is not supported");
    layer.type = layer_type_name(type);
    if (layer.type.empty())
      return r.error(at + ": got layer type index " + std::to_string(type) + ", expected 0 to " +
                     std::to_string(kLayerTypeCount - 1) + " (ncnn's layer types)");
    TB_ASSIGN_OR_RETURN(int32_t bottoms, r.i32(layer.where() + ": its input count"));
    TB_ASSIGN_OR_RETURN(int32_t tops, r.i32(layer.where() + ": its output count"));
    TB_RETURN_IF_ERROR(
        detail::check_layer_blob_counts(bottoms, tops, limits, file + ": " + layer.where()));
    net.layers.push_back(layer);
    Layer& l = net.layers.back();
    for (int32_t j = 0; j < bottoms + tops; ++j) {
      TB_ASSIGN_OR_RETURN(int32_t blob, r.i32(l.where() + ": a blob index"));
      if (blob < 0 || blob >= blob_count)
        return r.error(l.where() + ": got blob index " + std::to_string(blob) + ", expected 0 to " +
                       std::to_string(blob_count - 1));
      TB_RETURN_IF_ERROR(j < bottoms ? detail::link_bottom(net, l, blob)
                                     : detail::link_top(net, l, blob));
    }
    TB_RETURN_IF_ERROR(read_params(r, limits, l.where(), &l.params));
  }
  if (r.left() != 0)
    return r.error("got " + std::to_string(r.left()) + " bytes after the " +
                   std::to_string(layer_count) + " layers the header declares, expected none");
  return net;
}

}  // namespace toonbox::ncnn
