#include "doctor/torch_probe.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "doctor/elf_reader.h"
#include "doctor/subprocess.h"

namespace toonbox::doctor {
namespace {

constexpr char kMarker[] = "TOONBOX_TORCH_JSON ";

// Written for any python >= 3.6 and any torch; each query is guarded so one failing
// call (a broken driver, an old torch without an attribute) still reports the rest.
constexpr char kScript[] = R"PY(
import json, os, sys, sysconfig
out = {"python": sys.version.split()[0], "executable": sys.executable}
# PEP 668: an OS-managed interpreter outside a venv refuses pip installs.
out["externally_managed"] = sys.prefix == getattr(sys, "base_prefix", sys.prefix) and \
    os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
def guard(key, fn):
    try:
        out[key] = fn()
    except Exception as e:
        out.setdefault("cuda_error", "%s: %s" % (type(e).__name__, e))
try:
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import torch
        out["torch_version"] = str(torch.__version__)
        out["lib_dir"] = os.path.join(os.path.dirname(torch.__file__), "lib")
        out["cuda"] = torch.version.cuda
        guard("cudnn", lambda: torch.backends.cudnn.version())
        flags = getattr(torch._C, "_cuda_getArchFlags", None)
        guard("arch_list", lambda: (flags() or "").split() if flags else [])
        guard("is_available", lambda: bool(torch.cuda.is_available()))
        guard("device_count", lambda: torch.cuda.device_count() if out.get("is_available") else 0)
        def devices():
            res = []
            for i in range(out.get("device_count") or 0):
                p = torch.cuda.get_device_properties(i)
                res.append({"name": p.name, "capability": [p.major, p.minor]})
            return res
        guard("devices", devices)
    out["warnings"] = [str(w.message) for w in caught]
except Exception as e:
    out["import_error"] = "%s: %s" % (type(e).__name__, e)
def loaded():
    keys = ("libcuda.so", "libcudart", "libcudnn", "libcublas", "libnvrtc", "libnccl")
    seen = []
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if any(k in os.path.basename(path) for k in keys) and path not in seen:
                seen.append(path)
    return seen
guard("loaded_libraries", loaded)
print("TOONBOX_TORCH_JSON " + json.dumps(out))
)PY";

template <typename T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

void inspect_torch_cuda_library(const DoctorEnvironment& env, const LdconfigCache& cache,
                                TorchFacts* f) {
  if (f->lib_dir.empty()) return;
  const std::string path = f->lib_dir + "/libtorch_cuda.so";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  f->torch_cuda_library = path;
  Result<ElfDynamicInfo> info = read_elf_dynamic_file(path);
  if (!info.is_ok()) {
    f->elf_error = info.status().message();
    return;
  }
  LoaderSearch search;
  search.ld_library_path = env.path_list("LD_LIBRARY_PATH");
  search.cache = &cache;
  f->needed = resolve_needed_libraries(path, info.value(), search);
}

}  // namespace

const char* torch_probe_script() { return kScript; }

std::string TorchFacts::variant_tag() const {
  const size_t plus = torch_version.find('+');
  return plus == std::string::npos ? "" : torch_version.substr(plus + 1);
}

void parse_torch_probe_output(const std::string& text, TorchFacts* f) {
  std::istringstream in(text);
  std::string json_text;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(kMarker, 0) == 0) json_text = line.substr(sizeof kMarker - 1);
  if (json_text.empty()) {
    f->run_error = "the probe script printed no result";
    return;
  }
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    f->run_error = "the probe script printed malformed JSON";
    return;
  }
  f->ran = true;
  f->python_version = get_or<std::string>(j, "python", "");
  f->executable = get_or<std::string>(j, "executable", "");
  f->import_error = get_or<std::string>(j, "import_error", "");
  f->torch_version = get_or<std::string>(j, "torch_version", "");
  f->cuda = get_or<std::string>(j, "cuda", "");
  f->cudnn = get_or<long>(j, "cudnn", 0);
  f->is_available = get_or<bool>(j, "is_available", false);
  f->externally_managed = get_or<bool>(j, "externally_managed", false);
  f->device_count = get_or<int>(j, "device_count", 0);
  f->arch_list = get_or<std::vector<std::string>>(j, "arch_list", {});
  f->warnings = get_or<std::vector<std::string>>(j, "warnings", {});
  f->cuda_error = get_or<std::string>(j, "cuda_error", "");
  f->lib_dir = get_or<std::string>(j, "lib_dir", "");
  f->loaded_libraries = get_or<std::vector<std::string>>(j, "loaded_libraries", {});
  if (auto it = j.find("devices"); it != j.end() && it->is_array()) {
    for (const nlohmann::json& d : *it) {
      if (!d.is_object()) continue;
      TorchDevice dev;
      dev.name = get_or<std::string>(d, "name", "");
      const auto cap = get_or<std::vector<int>>(d, "capability", {});
      if (cap.size() == 2) dev.cc_major = cap[0], dev.cc_minor = cap[1];
      f->devices.push_back(dev);
    }
  }
}

TorchFacts probe_torch(const DoctorEnvironment& env, const LdconfigCache& cache) {
  TorchFacts f;
  f.python = env.python;
  ProcessResult r = run_process({env.python, "-c", kScript}, env.vars, env.python_timeout_s);
  if (!r.started) {
    f.run_error = "cannot run " + r.start_error;
    return f;
  }
  if (r.timed_out) {
    f.run_error =
        env.python + " did not finish within " + std::to_string(env.python_timeout_s) + " s";
    return f;
  }
  parse_torch_probe_output(r.out, &f);
  if (!f.ran) {
    std::string err = r.err.substr(r.err.size() > 400 ? r.err.size() - 400 : 0);
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    f.run_error +=
        " (exit code " + std::to_string(r.exit_code) + (err.empty() ? "" : ": " + err) + ")";
    return f;
  }
  inspect_torch_cuda_library(env, cache, &f);
  return f;
}

}  // namespace toonbox::doctor
