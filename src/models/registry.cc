#include "models/registry.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/sha256.h"
#include "import/onnx/onnx_importer.h"
#include "import/tfjs/tfjs_importer.h"
#include "pipeline/builtin_style.h"

namespace fs = std::filesystem;

namespace toonbox {

namespace {
constexpr const char* kManifestName = "toonbox-model.json";
}

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = {
      {"whitebox", "tfjs", "model.json",
       "White-box Cartoonization UNet generator + guided filter (float16 weights)",
       "CC BY-NC-SA 4.0 (non-commercial)",
       "https://github.com/SystemErrorWang/White-box-Cartoonization (TF.js conversion: "
       "github.com/kartikeyahl/white_box_cartoonization_js, web-float16/)",
       {{"model.json", "36db4238d36a3e8ffa5ed05e7724adf95014ef74a6835116f13f3512f5294ca5"},
        {"group1-shard1of1.bin", "bdb96816a60b505890ba818ec4a6dbc2fff7579790188db3947a018fcc211c25"}}},
      {"whitebox-uint8", "tfjs", "model.json",
       "White-box Cartoonization UNet generator + guided filter (uint8-quantized weights)",
       "CC BY-NC-SA 4.0 (non-commercial)",
       "https://github.com/SystemErrorWang/White-box-Cartoonization (TF.js conversion: "
       "github.com/kartikeyahl/white_box_cartoonization_js, web-uint8/)",
       {{"model.json", "154e30da7536e67ea794683b43bcf228f96b2ca7c14ed8fd36bf61384b3b5831"},
        {"group1-shard1of1.bin", "ebf1e1d4f93e98580d906894c0b16d3d333be5e1683fd2ccaef1b01e5878a4ed"}}},
      {"animeganv3-cute", "onnx", "AnimeGANv3_tiny_Cute.onnx",
       "AnimeGANv3 tiny, portrait to 'cute' cartoon style (NHWC RGB in [-1,1], H and W multiples of 16)",
       "AnimeGANv3: non-commercial use only",
       "https://github.com/tuanmjnh/AnimeGANv3_Video (resources/); AnimeGANv3 by TachibanaYoshino",
       {{"AnimeGANv3_tiny_Cute.onnx", "3ef02d6b2939a0e81621abc5beb0e741bb58654570033cd0e97f6b6ef37c1171"}}},
      {"yunet", "onnx", "yunet_n_dynamic.onnx",
       "YuNet face detector: boxes + 5 landmarks (NCHW BGR 0..255, dynamic H and W)", "Apache-2.0",
       "https://github.com/ShiqiYu/libfacedetection.train (onnx/)",
       {{"yunet_n_dynamic.onnx", "104ee26c71d5c270ce79a6b3dced91c91013260d29a6bf18f9296c5b8c4c2b12"}}},
      {"retinaface", "onnx", "detection_mobilenet0.25_Final.onnx",
       "RetinaFace MobileNet-0.25 face detector: boxes + 5 landmarks (NCHW BGR minus mean)",
       "MIT (biubug6/Pytorch_Retinaface)",
       "https://github.com/TachibanaYoshino/AnimeGANv3_Portrait_Inference (core/model_core/)",
       {{"detection_mobilenet0.25_Final.onnx", "a0d9d990afa342c28b9b75a5927039999ef75451191b246d9333878643cf201b"}}},
  };
  return models;
}

std::string models_dir() {
  if (const char* env = std::getenv("TOONBOX_MODELS"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/toonbox/models";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/toonbox/models";
}

bool valid_model_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

namespace {

Result<InstalledModel> read_installed(const fs::path& dir) {
  const fs::path manifest = dir / kManifestName;
  std::ifstream f(manifest);
  if (!f) return not_found(manifest.string() + ": missing");
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return data_loss(manifest.string() + ": not valid JSON");
  InstalledModel m;
  m.name = j.value("name", "");
  m.format = j.value("format", "");
  m.description = j.value("description", "");
  m.licence = j.value("licence", "");
  m.known = j.value("known", false);
  const std::string entry = j.value("entry", "");
  if (m.name.empty() || entry.empty() || entry.find('/') != std::string::npos)
    return data_loss(manifest.string() + ": missing name or entry");
  m.dir = dir.string();
  m.entry_path = (dir / entry).string();
  return m;
}

}  // namespace

Result<std::vector<InstalledModel>> list_installed_models() {
  std::vector<InstalledModel> out;
  std::error_code ec;
  const fs::path root = models_dir();
  if (!fs::exists(root, ec)) return out;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory() || entry.path().filename().string()[0] == '.') continue;
    auto m = read_installed(entry.path());
    if (m.is_ok()) out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<InstalledModel> find_installed_model(const std::string& name) {
  if (!valid_model_name(name)) return invalid_argument("'" + name + "' is not a valid model name");
  const fs::path dir = fs::path(models_dir()) / name;
  if (!fs::exists(dir / kManifestName)) {
    return not_found("model '" + name + "' is not installed in " + models_dir() +
                     " (install it with `toonbox models import PATH`)");
  }
  return read_installed(dir);
}

namespace {

// Formats people try to import that toonbox will never read, named by their first bytes
// so the error says what the file is instead of "invalid JSON" / "not a protobuf".
std::string foreign_format(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char b[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(b), sizeof b);
  if (in.gcount() >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5)
    return "a Python pickle (a PyTorch .pth/.pt checkpoint?); toonbox never unpickles files, which can run code: "
           "export the model to ONNX";
  if (in.gcount() == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
    return "a zip archive (a PyTorch checkpoint, or a model to unpack first); toonbox reads ONNX files and TF.js "
           "model.json folders: export or unpack the model";
  return "";
}

}  // namespace

bool is_reserved_model_name(const std::string& name) {
  return name == kBuiltinStyleName || name == "builtin" || name == "default";
}

Result<InstalledModel> import_model(const std::string& path, const std::string& name_arg, bool force) {
  std::error_code ec;
  const bool onnx = fs::path(path).extension() == ".onnx";
  fs::path entry = fs::is_directory(path, ec) ? fs::path(path) / "model.json" : fs::path(path);
  if (!fs::exists(entry, ec))
    return not_found(entry.string() + ": not found (expected a .onnx file, or a TF.js model.json or its folder)");
  if (const std::string foreign = foreign_format(entry); !foreign.empty())
    return data_loss(entry.string() + ": " + foreign);
  // What is wrong with the files is data loss (the CLI exits 1, as for a bad image);
  // kInvalidArgument is kept for what the command line can fix (--name, --force: exit 2).
  auto bad_file = [](const Status& s) {
    return s.code() == StatusCode::kInvalidArgument ? Status(StatusCode::kDataLoss, s.message()) : s;
  };
  if (!name_arg.empty() && is_reserved_model_name(name_arg))
    return invalid_argument("'" + name_arg + "' is a built-in name and cannot be taken by an import; choose another --name");
  // Each file by its path relative to the model folder, as the manifest names shards.
  std::vector<std::pair<std::string, std::string>> files_rel;  // relative path, source
  files_rel.emplace_back(entry.filename().string(), entry.string());
  if (onnx) {
    // Importing validates the protobuf, every tensor size and every external data path.
    TB_RETURN_IF_ERROR(bad_file(import_onnx_model(entry.string()).status()));
    auto listed = onnx_external_data_files(entry.string());
    if (!listed.is_ok()) return bad_file(listed.status());
    const std::vector<std::string>& external = listed.value();
    for (const std::string& rel : external)
      files_rel.emplace_back(fs::path(rel).lexically_normal().string(), (entry.parent_path() / rel).string());
  } else {
    // Loading validates the JSON, every weight size and every shard path.
    auto listed = list_tfjs_model_files(entry.string());
    if (!listed.is_ok()) return bad_file(listed.status());
    const TfjsModelFiles& files = listed.value();
    TB_RETURN_IF_ERROR(bad_file(import_tfjs_model(entry.string()).status()));
    files_rel[0].second = files.model_json;
    for (size_t i = 0; i < files.shards.size(); ++i)
      files_rel.emplace_back(fs::path(files.shard_relative[i]).lexically_normal().string(), files.shards[i]);
  }
  const char* format = onnx ? "onnx" : "tfjs";

  // Identify a known model by the digests of all its files.
  const KnownModel* known = nullptr;
  std::vector<std::pair<std::string, std::string>> digests;  // relative path, sha256
  for (const auto& [rel, file] : files_rel) {
    TB_ASSIGN_OR_RETURN(std::string d, sha256_file(file));
    digests.emplace_back(rel, d);
  }
  for (const KnownModel& k : known_models()) {
    bool all = k.files.size() == digests.size();
    for (const KnownFile& kf : k.files) {
      bool found = false;
      for (const auto& [n, d] : digests) found = found || (n == kf.file && d == kf.sha256);
      all = all && found;
    }
    if (all && std::string(k.format) == format) known = &k;
  }
  std::string name = name_arg.empty() && known ? known->name : name_arg;
  if (name.empty()) {
    return invalid_argument(entry.string() + ": not a model toonbox knows by digest; give it a name with --name");
  }
  if (!valid_model_name(name)) return invalid_argument("'" + name + "' is not a valid model name (letters, digits, - _ .)");

  const fs::path root = models_dir();
  fs::create_directories(root, ec);
  if (ec) return unavailable(root.string() + ": cannot create: " + ec.message());
  const fs::path final_dir = root / name;
  if (fs::exists(final_dir) && !force)
    return invalid_argument("model '" + name + "' is already installed in " + final_dir.string() + " (use --force to replace it)");
  const fs::path tmp = root / (".import-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) return unavailable(tmp.string() + ": cannot create: " + ec.message());
  auto fail = [&](Status s) { fs::remove_all(tmp, ec); return s; };
  for (const auto& [rel, file] : files_rel) {
    fs::create_directories((tmp / rel).parent_path(), ec);
    fs::copy_file(file, tmp / rel, ec);
    if (ec) return fail(unavailable("copying " + file + ": " + ec.message()));
  }
  nlohmann::json manifest = {
      {"name", name},
      {"format", format},
      {"entry", entry.filename().string()},
      {"known", known != nullptr},
      {"description", known ? known->description : onnx ? "imported ONNX model" : "imported TF.js graph model"},
      {"licence", known ? known->licence : "unknown (check the model's source)"},
      {"upstream", known ? known->upstream : ""},
      {"source", fs::absolute(entry).string()},
  };
  nlohmann::json jfiles = nlohmann::json::object();
  for (const auto& [n, d] : digests) jfiles[n] = d;
  manifest["sha256"] = jfiles;
  {
    std::ofstream out(tmp / kManifestName);
    out << json_text(manifest, 2) << "\n";
    if (!out) return fail(unavailable((tmp / kManifestName).string() + ": write failed"));
  }
  if (fs::exists(final_dir)) {
    const fs::path old = root / (".old-" + name + "-" + std::to_string(getpid()));
    fs::rename(final_dir, old, ec);
    if (ec) return fail(unavailable("replacing " + final_dir.string() + ": " + ec.message()));
    fs::rename(tmp, final_dir, ec);
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, final_dir, ec);
  }
  if (ec) return fail(unavailable("installing into " + final_dir.string() + ": " + ec.message()));
  return read_installed(final_dir);
}

}  // namespace toonbox
