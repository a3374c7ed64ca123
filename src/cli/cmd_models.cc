// toonbox models list | import PATH [--name NAME] [--force] | known
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "models/registry.h"

namespace toonbox::cli {

namespace {

constexpr const char* kUsage =
    "usage: toonbox models list                 models installed in the models directory\n"
    "       toonbox models known                models toonbox can identify, with licences\n"
    "       toonbox models import PATH [--name NAME] [--force]\n"
    "                                           install a TF.js model (model.json or its folder)\n"
    "\n"
    "The models directory is $TOONBOX_MODELS (default ~/.local/share/toonbox/models).\n";

int list() {
  auto models = list_installed_models();
  if (!models.is_ok()) {
    std::fprintf(stderr, "toonbox models: %s\n", models.status().message().c_str());
    return kExitFailure;
  }
  std::printf("models directory: %s\n", models_dir().c_str());
  if (models->empty()) {
    std::printf("no models installed; `toonbox cartoonize` uses the built-in 'classic' style.\n"
                "install one with: toonbox models import PATH\n");
    return kExitOk;
  }
  for (const InstalledModel& m : *models) {
    std::printf("  %-16s %-5s %s%s\n    licence: %s\n", m.name.c_str(), m.format.c_str(),
                m.description.c_str(), m.known ? "" : " (not a known model: digests unverified)",
                m.licence.c_str());
  }
  std::printf("  %-16s %-5s %s\n", "classic", "-", "built-in classic cartoon filter (always available)");
  return kExitOk;
}

int known() {
  for (const KnownModel& k : known_models()) {
    std::printf("%s (%s)\n  %s\n  licence: %s\n  upstream: %s\n", k.name, k.format, k.description,
                k.licence, k.upstream);
    for (const KnownFile& f : k.files) std::printf("  sha256 %s  %s\n", f.sha256, f.file);
  }
  return kExitOk;
}

}  // namespace

int cmd_models(const std::vector<std::string>& argv) {
  auto parsed = parse_args(argv, {{"--name", true}, {"--force", false}, {"--help", false, "-h"}});
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox models: %s\n%s", parsed.status().message().c_str(), kUsage);
    return kExitUsage;
  }
  const ParsedArgs& a = parsed.value();
  if (a.has("--help")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  const std::string sub = a.positional.empty() ? "list" : a.positional[0];
  if (sub == "list" && a.positional.size() <= 1) return list();
  if (sub == "known" && a.positional.size() == 1) return known();
  if (sub == "import" && a.positional.size() == 2) {
    auto m = import_model(a.positional[1], a.get("--name"), a.has("--force"));
    if (!m.is_ok()) {
      std::fprintf(stderr, "toonbox models import: %s\n", m.status().message().c_str());
      return m.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::printf("installed '%s' into %s%s\n  licence: %s\n", m->name.c_str(), m->dir.c_str(),
                m->known ? " (digests match the registry)" : "", m->licence.c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "toonbox models: bad arguments\n%s", kUsage);
  return kExitUsage;
}

}  // namespace toonbox::cli
