// The text .param form, read as ncnn's Net::load_param and ParamDict::load_param read
// it (whitespace-separated fields, `id=value` pairs until the next layer's type), but
// strictly: a value ncnn would misread (too long, trailing garbage, an int array element
// written as a float) is an error here, with the file and line.
#include <bit>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "import/ncnn/ncnn_param.h"
#include "import/ncnn/ncnn_param_internal.h"

namespace toonbox::ncnn {

namespace {

using Kind = ParamValue::Kind;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Scanner {
 public:
  Scanner(const std::string& text, const std::string& file) : t_(text), file_(file) {}

  void skip_space() {
    while (p_ < t_.size() && is_space(t_[p_])) {
      if (t_[p_] == '\n') ++line_;
      ++p_;
    }
  }
  bool at_end() {
    skip_space();
    return p_ >= t_.size();
  }
  int line() const { return line_; }
  Status error(const std::string& what) const {
    return data_loss(file_ + ": line " + std::to_string(line_) + ": " + what);
  }

  // The next whitespace-delimited field; empty at the end.
  std::string field() {
    skip_space();
    const size_t b = p_;
    while (p_ < t_.size() && !is_space(t_[p_])) ++p_;
    return t_.substr(b, p_ - b);
  }
  Result<int64_t> integer(const std::string& what) {
    const std::string f = field();
    if (f.empty()) return error("got the end of the file, expected " + what);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec != std::errc() || end != f.data() + f.size())
      return error("got '" + f + "', expected " + what + " (an integer)");
    return v;
  }

  // True when the next field is a parameter (`-?digits=`), not the next layer's type.
  bool at_param() {
    skip_space();
    size_t q = p_;
    if (q < t_.size() && t_[q] == '-') ++q;
    const size_t digits = q;
    while (q < t_.size() && is_digit(t_[q])) ++q;
    return q > digits && q < t_.size() && t_[q] == '=';
  }

  // Characters up to (not including) a ',' or whitespace: ncnn's `%15[^,\n ]`.
  std::string value_text() {
    const size_t b = p_;
    while (p_ < t_.size() && t_[p_] != ',' && !is_space(t_[p_])) ++p_;
    return t_.substr(b, p_ - b);
  }
  bool take(char c) {
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  char peek() const { return p_ < t_.size() ? t_[p_] : '\0'; }
  // The rest of a quoted string up to its closing quote on this line.
  Result<std::string> quoted_rest() {
    const size_t b = p_;
    while (p_ < t_.size() && t_[p_] != '"' && t_[p_] != '\n') ++p_;
    if (!take('"')) return error("got an unterminated string, expected a closing '\"'");
    return t_.substr(b, p_ - 1 - b);
  }
  // Up to whitespace: an unquoted string may contain commas (ncnn's `%255[^\n ]`).
  std::string word_rest() {
    const size_t b = p_;
    while (p_ < t_.size() && !is_space(t_[p_])) ++p_;
    return t_.substr(b, p_ - b);
  }

 private:
  const std::string& t_;
  const std::string& file_;
  size_t p_ = 0;
  int line_ = 1;
};

// ncnn's vstr_to_float (paramdict.cpp): mantissa and exponent accumulated in double,
// then rounded once to float. Unlike ncnn, the whole text must be a number.
bool parse_float(const std::string& s, float* out) {
  size_t i = 0;
  const bool negative = i < s.size() && s[i] == '-';
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  uint64_t whole = 0;
  int digits = 0;
  for (; i < s.size() && is_digit(s[i]); ++i, ++digits) whole = whole * 10 + (s[i] - '0');
  double v = static_cast<double>(whole);
  if (i < s.size() && s[i] == '.') {
    ++i;
    uint64_t frac = 0, pow10 = 1;
    for (; i < s.size() && is_digit(s[i]); ++i, ++digits) {
      frac = frac * 10 + (s[i] - '0');
      pow10 *= 10;
    }
    v += static_cast<double>(frac) / static_cast<double>(pow10);
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool shrink = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    int expon = 0, edigits = 0;
    for (; i < s.size() && is_digit(s[i]) && expon < 1000; ++i, ++edigits)
      expon = expon * 10 + (s[i] - '0');
    if (edigits == 0) return false;
    double scale = 1.0;
    for (; expon >= 8; expon -= 8) scale *= 1e8;
    for (; expon > 0; --expon) scale *= 10.0;
    v = shrink ? v / scale : v * scale;
  }
  if (i != s.size()) return false;
  *out = static_cast<float>(negative ? -v : v);
  return true;
}

bool looks_float(const std::string& s) { return s.find_first_of(".eE") != std::string::npos; }

class ParamParser {
 public:
  ParamParser(Scanner& s, const ParamLimits& limits, std::string where)
      : s_(s), limits_(limits), where_(std::move(where)) {}

  Status parse(ParamDict* dict) {
    while (s_.at_param()) {
      const std::string head = s_.value_text();  // "-23309=2" or "0=64" up to ',' / space
      const size_t eq = head.find('=');
      int64_t id = 0;
      std::from_chars(head.data(), head.data() + eq, id);  // checked by at_param
      const std::string first = head.substr(eq + 1);
      ParamValue v;
      if (id <= -23300) {
        id = -id - 23300;
        TB_RETURN_IF_ERROR(check_id(id));
        TB_RETURN_IF_ERROR(counted_array(first, id, &v));
      } else {
        TB_RETURN_IF_ERROR(check_id(id));
        TB_RETURN_IF_ERROR(value(first, id, &v));
      }
      if (dict->has(static_cast<int>(id)))
        return error("parameter " + std::to_string(id) + " is given twice");
      dict->set(static_cast<int>(id), std::move(v));
    }
    return Status::ok();
  }

 private:
  Status error(const std::string& what) const { return s_.error(where_ + ": " + what); }

  Status check_id(int64_t id) const {
    if (id < 0 || id > kMaxParamId)
      return error("got parameter id " + std::to_string(id) + ", expected 0 to " +
                   std::to_string(kMaxParamId) + " (or -23300 minus that for an array)");
    return Status::ok();
  }

  Status number(const std::string& text, bool as_float, int64_t id, ParamValue::Element* e) const {
    const std::string what = "parameter " + std::to_string(id) + ": ";
    if (text.empty()) return error(what + "got an empty value, expected a number");
    if (text.size() > static_cast<size_t>(kMaxParamValueLength))
      return error(what + "got the " + std::to_string(text.size()) + "-character value '" + text +
                   "', expected at most " + std::to_string(kMaxParamValueLength) +
                   " characters (ncnn reads no more)");
    if (as_float) {
      float f = 0;
      if (!parse_float(text, &f)) return error(what + "got '" + text + "', expected a float");
      *e = {Kind::kFloat, std::bit_cast<uint32_t>(f)};
      return Status::ok();
    }
    int32_t i = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec != std::errc() || end != text.data() + text.size())
      return error(what + "got '" + text + "', expected an int (32-bit)");
    *e = {Kind::kInt, static_cast<uint32_t>(i)};
    return Status::ok();
  }

  // `-233xx=len,v0,v1,...`: each element an int or a float by its own spelling.
  Status counted_array(const std::string& len_text, int64_t id, ParamValue* v) {
    int64_t len = -1;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc() || end != len_text.data() + len_text.size() || len < 0 ||
        len > limits_.max_array_length)
      return error("parameter " + std::to_string(id) + ": got array length '" + len_text +
                   "', expected 0 to " + std::to_string(limits_.max_array_length));
    v->is_array = true;
    for (int64_t j = 0; j < len; ++j) {
      if (!s_.take(','))
        return error("parameter " + std::to_string(id) + ": got " + std::to_string(j) +
                     " array elements, expected " + std::to_string(len));
      const std::string t = s_.value_text();
      ParamValue::Element e;
      TB_RETURN_IF_ERROR(number(t, looks_float(t), id, &e));
      v->elements.push_back(e);
    }
    if (s_.peek() == ',')
      return error("parameter " + std::to_string(id) + ": got more than the " +
                   std::to_string(len) + " array elements its length says");
    return Status::ok();
  }

  // `id=value`, `id=v0,v1,...` (every element typed like the first) or `id=string`.
  Status value(const std::string& first, int64_t id, ParamValue* v) {
    if (!first.empty() && (is_alpha(first[0]) || first[0] == '"')) {
      v->is_string = true;
      if (first[0] == '"') {
        if (first.size() >= 2 && first.back() == '"') {
          v->text = first.substr(1, first.size() - 2);
        } else {
          TB_ASSIGN_OR_RETURN(std::string rest, s_.quoted_rest());
          v->text = first.substr(1) + rest;
        }
      } else {
        v->text = first + s_.word_rest();
      }
      if (v->text.size() > static_cast<size_t>(kMaxParamStringLength))
        return error("parameter " + std::to_string(id) + ": got a " +
                     std::to_string(v->text.size()) + "-character string, expected at most " +
                     std::to_string(kMaxParamStringLength));
      return Status::ok();
    }
    const bool as_float = looks_float(first);
    ParamValue::Element e;
    TB_RETURN_IF_ERROR(number(first, as_float, id, &e));
    v->elements.push_back(e);
    while (s_.take(',')) {
      v->is_array = true;
      if (static_cast<int>(v->elements.size()) >= limits_.max_array_length)
        return error("parameter " + std::to_string(id) + ": more than " +
                     std::to_string(limits_.max_array_length) + " array elements");
      const std::string t = s_.value_text();
      if (looks_float(t) != as_float)
        return error("parameter " + std::to_string(id) + ": got '" + t + "', expected " +
                     (as_float ? "a float" : "an int") +
                     " like the array's first element (ncnn types the array by it)");
      TB_RETURN_IF_ERROR(number(t, as_float, id, &e));
      v->elements.push_back(e);
    }
    return Status::ok();
  }

  Scanner& s_;
  const ParamLimits& limits_;
  std::string where_;
};

}  // namespace

Result<Net> parse_param_text(const std::string& text, const std::string& file,
                             const ParamLimits& limits) {
  Net net;
  net.file = file;
  Scanner s(text, file);
  TB_ASSIGN_OR_RETURN(int64_t magic, s.integer("the magic number " + std::to_string(kParamMagic)));
  if (magic != kParamMagic)
    return s.error("got magic " + std::to_string(magic) + ", expected " +
                   std::to_string(kParamMagic) + " (an ncnn .param from 2018 or later)");
  TB_ASSIGN_OR_RETURN(int64_t layer_count, s.integer("the layer count"));
  TB_ASSIGN_OR_RETURN(int64_t blob_count, s.integer("the blob count"));
  TB_RETURN_IF_ERROR(detail::check_header_counts(layer_count, blob_count, limits,
                                                 file + ": line " + std::to_string(s.line())));
  std::unordered_map<std::string, int> blob_index;
  for (int64_t i = 0; i < layer_count; ++i) {
    if (s.at_end())
      return s.error("got " + std::to_string(i) + " layers, expected " +
                     std::to_string(layer_count) + " (the header's count)");
    Layer layer;
    layer.index = static_cast<int>(i);
    layer.line = s.line();
    layer.type = s.field();
    layer.name = s.field();
    if (!is_alpha(layer.type[0])) return s.error("got '" + layer.type + "', expected a layer type");
    if (layer.name.empty()) return s.error("got the end of the file, expected a layer name");
    TB_ASSIGN_OR_RETURN(int64_t bottoms, s.integer("the input count of " + layer.where()));
    TB_ASSIGN_OR_RETURN(int64_t tops, s.integer("the output count of " + layer.where()));
    TB_RETURN_IF_ERROR(
        detail::check_layer_blob_counts(bottoms, tops, limits, file + ": " + layer.where()));
    net.layers.push_back(layer);
    Layer& l = net.layers.back();
    for (int64_t j = 0; j < bottoms + tops; ++j) {
      const std::string name = s.field();
      if (name.empty())
        return s.error(l.where() + ": got the end of the file, expected a blob name");
      auto it = blob_index.find(name);
      if (j < bottoms) {
        if (it == blob_index.end())
          return s.error(l.where() + ": input blob '" + name +
                         "' is not produced by an earlier layer");
        TB_RETURN_IF_ERROR(detail::link_bottom(net, l, it->second));
        continue;
      }
      if (it == blob_index.end()) {
        if (static_cast<int64_t>(net.blobs.size()) >= blob_count)
          return s.error(l.where() + ": output blob '" + name + "' is blob " +
                         std::to_string(net.blobs.size() + 1) + ", expected at most " +
                         std::to_string(blob_count) + " (the header's blob count)");
        it = blob_index.emplace(name, static_cast<int>(net.blobs.size())).first;
        net.blobs.emplace_back().name = name;
      }
      TB_RETURN_IF_ERROR(detail::link_top(net, l, it->second));
    }
    ParamParser params(s, limits, l.where());
    TB_RETURN_IF_ERROR(params.parse(&l.params));
  }
  if (!s.at_end())
    return s.error("got more than the " + std::to_string(layer_count) +
                   " layers the header declares: '" + s.field() + "'");
  return net;
}

}  // namespace toonbox::ncnn
