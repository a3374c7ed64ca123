#include "doctor/report_format.h"

namespace toonbox::doctor {
namespace {

const char* tag(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return "[ ok ]";
    case CheckStatus::kWarn:
      return "[warn]";
    case CheckStatus::kFail:
      return "[FAIL]";
    case CheckStatus::kSkip:
      return "[skip]";
  }
  return "[????]";
}

}  // namespace

std::string render_text(const DoctorReport& report, bool verbose) {
  constexpr const char* kIndent = "         ";  // under the text after "  [FAIL] "
  std::string out = "toonbox doctor " TOONBOX_VERSION "\n";
  for (const Section& s : report.sections) {
    out += "\n" + s.name + "\n";
    for (const Check& c : s.checks) {
      out += std::string("  ") + tag(c.status) + " " + c.message + "\n";
      // Details (paths, other copies) matter when something is wrong; --verbose shows all.
      if (verbose || c.status == CheckStatus::kWarn || c.status == CheckStatus::kFail)
        for (const std::string& d : c.details) out += kIndent + d + "\n";
      if (!c.fix.empty() && (c.status == CheckStatus::kWarn || c.status == CheckStatus::kFail))
        out += std::string(kIndent) + "fix: " + c.fix + "\n";
    }
  }
  out += "\n" + report.toonbox.summary + "\n";
  if (report.pytorch) out += report.pytorch->summary + "\n";
  return out;
}

}  // namespace toonbox::doctor
