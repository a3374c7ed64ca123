#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/json_text.h"
#include "cli/args.h"
#include "cli/color.h"
#include "cli/commands.h"
#include "cli/option_help.h"
#include "doctor/doctor.h"
#include "doctor/report_format.h"

namespace toonbox::cli {
namespace {

// The synopsis and the exit codes; the option list between them is generated from
// doctor_options() (option_help.h).
constexpr char kSynopsis[] =
    "usage: toonbox doctor [--json] [--verbose] [--color auto|always|never] [--python [PYTHON]]\n"
    "\n"
    "Says, layer by layer, whether and why the GPU can be used: hardware (GPU, driver,\n"
    "container, CUDA_VISIBLE_DEVICES), system (driver vs CUDA runtime, loaded CUDA\n"
    "libraries and their versions), framework (a real smoke test on each GPU).\n"
    "\n";

constexpr char kExitCodes[] =
    "\n"
    "exit codes: 0 GPU usable, 1 not usable, 2 usage error, 3 usable with warnings\n"
    "(see docs/doctor.md)\n";

std::string usage() { return kSynopsis + option_list(doctor_options()) + kExitCodes; }

// "--python" takes an optional value: alone (or before another option) it means python3.
std::vector<std::string> default_python_value(std::vector<std::string> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--python" && (i + 1 == args.size() || args[i + 1].rfind("-", 0) == 0))
      args.insert(args.begin() + static_cast<long>(i) + 1, "python3");
  }
  return args;
}

}  // namespace

// The options, also for `toonbox completion` and the option list of --help.
std::vector<ArgSpec> doctor_options() {
  return {{"--json", false, "", false, "", "print one JSON object instead of the report"},
          {"--verbose", false, "-v", false, "", "show details (paths, UUIDs) for passing checks too"},
          {"--color", true, "", false, "WHEN",
           "colour the report (green ok, yellow warnings, red not usable):\nauto (default: on a terminal, unless NO_COLOR is set and not\nempty), always, never"},
          {"--python", true, "", false, "[PYTHON]", "also inspect the PyTorch install of PYTHON (default python3)"},
          {"--help", false, "-h"}};
}

int cmd_doctor(const std::vector<std::string>& args) {
  auto parsed = parse_args(default_python_value(args), doctor_options());
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "toonbox doctor: %s\n\n%s", parsed.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  if (parsed->has("--help")) {
    std::fputs(usage().c_str(), stdout);
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    std::fprintf(stderr, "toonbox doctor: unexpected argument '%s'\n\n%s",
                 parsed->positional[0].c_str(), usage().c_str());
    return kExitUsage;
  }
  auto color = parse_color_mode(parsed->get("--color", "auto"));
  if (!color.is_ok()) {
    std::fprintf(stderr, "toonbox doctor: %s\n\n%s", color.status().message().c_str(), usage().c_str());
    return kExitUsage;
  }
  doctor::DoctorEnvironment env = doctor::DoctorEnvironment::from_process();
  env.python = parsed->get("--python");
  const doctor::DoctorReport report = doctor::run_doctor(env);
  if (parsed->has("--json")) {
    std::printf("%s\n", json_text(doctor::render_json(report), 2).c_str());
  } else {
    const bool paint = use_color(color.value(), STDOUT_FILENO, std::getenv("NO_COLOR"));
    std::fputs(doctor::render_text(report, parsed->has("--verbose"), paint).c_str(), stdout);
  }
  return report.exit_code;
}

}  // namespace toonbox::cli
