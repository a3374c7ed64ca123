#include "models/test_registry.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace toonbox::models {

namespace {

struct TestRegistry {
  std::deque<std::string> strings;  // KnownModel holds const char*: they point in here
  std::vector<KnownModel> models;
  std::vector<ModelSource> sources;

  const char* keep(const std::string& s) { return strings.emplace_back(s).c_str(); }
};

bool is_hex_digest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Returns an error text, or "" when `j` was added.
std::string add_model(const nlohmann::json& j, TestRegistry* r) {
  auto text = [&](const nlohmann::json& o, const char* key) {
    return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
  };
  const std::string name = text(j, "name"), format = text(j, "format"), entry = text(j, "entry");
  if (!valid_model_name(name)) return "a model without a valid \"name\"";
  if (format != "onnx" && format != "ncnn" && format != "tfjs" && format != "tfjs-layers")
    return name + ": \"format\" must be onnx, ncnn, tfjs or tfjs-layers";
  if (entry.empty()) return name + ": no \"entry\"";
  if (!j.contains("files") || !j["files"].is_array() || j["files"].empty() || j["files"].size() > 64)
    return name + ": \"files\" must be a list of 1..64 files";
  KnownModel k{};
  k.name = r->keep(name);
  k.format = r->keep(format);
  k.entry = r->keep(entry);
  k.description = r->keep(text(j, "description") + " (test registry)");
  k.licence = r->keep(text(j, "licence"));
  k.upstream = r->keep(text(j, "upstream"));
  k.contract_source = "test registry";
  ModelSource source{name, {}, text(j, "no_download"), "test registry"};
  for (const auto& f : j["files"]) {
    const std::string file = text(f, "file"), sha = text(f, "sha256"), url = text(f, "url");
    if (file.empty() || file.find('/') != std::string::npos || file[0] == '.' || !is_hex_digest(sha))
      return name + ": each file needs a plain \"file\" name and a lowercase hex \"sha256\"";
    const int64_t size = f.contains("size") && f["size"].is_number_integer() ? f["size"].get<int64_t>() : 0;
    k.files.push_back({r->keep(file), r->keep(sha)});
    if (!url.empty()) source.files.push_back({file, url, size});
  }
  if (!source.files.empty() && source.files.size() != k.files.size())
    return name + ": give every file a \"url\", or none (and a \"no_download\" reason)";
  r->models.push_back(std::move(k));
  r->sources.push_back(std::move(source));
  return "";
}

const TestRegistry& test_registry() {
  static const TestRegistry registry = [] {
    TestRegistry r;
    const char* path = std::getenv("TOONBOX_TEST_KNOWN_MODELS");
    if (!path || !*path) return r;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().size() > (1 << 20)) {
      std::fprintf(stderr, "toonbox: TOONBOX_TEST_KNOWN_MODELS: %s: cannot read (or over 1 MiB)\n", path);
      return r;
    }
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("models") || !j["models"].is_array()) {
      std::fprintf(stderr, "toonbox: TOONBOX_TEST_KNOWN_MODELS: %s: not {\"models\": [...]}\n", path);
      return r;
    }
    for (const auto& m : j["models"]) {
      const std::string problem = m.is_object() ? add_model(m, &r) : "an entry that is not an object";
      if (!problem.empty()) std::fprintf(stderr, "toonbox: TOONBOX_TEST_KNOWN_MODELS: %s: %s\n", path, problem.c_str());
    }
    return r;
  }();
  return registry;
}

}  // namespace

const std::vector<KnownModel>& test_registry_known_models() { return test_registry().models; }
const std::vector<ModelSource>& test_registry_sources() { return test_registry().sources; }

}  // namespace toonbox::models
