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

constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kReset = "\033[0m";

const char* colour_of(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return kGreen;
    case CheckStatus::kWarn:
      return kYellow;
    case CheckStatus::kFail:
      return kRed;
    case CheckStatus::kSkip:
      break;
  }
  return nullptr;
}

// The verdict's colour follows the exit code: 0 usable, 3 usable with warnings, else not.
const char* verdict_colour(int exit_code) {
  return exit_code == kExitUsable ? kGreen : exit_code == kExitDegraded ? kYellow : kRed;
}

std::string painted(const std::string& text, const char* colour, bool color) {
  return color && colour ? colour + text + kReset : text;
}

}  // namespace

std::string render_text(const DoctorReport& report, bool verbose, bool color) {
  constexpr const char* kIndent = "         ";  // under the text after "  [FAIL] "
  std::string out = "toonbox doctor " TOONBOX_VERSION "\n";
  for (const Section& s : report.sections) {
    out += "\n" + s.name + "\n";
    for (const Check& c : s.checks) {
      out += "  " + painted(tag(c.status), colour_of(c.status), color) + " " + c.message + "\n";
      // Details (paths, other copies) matter when something is wrong; --verbose shows all.
      if (verbose || c.status == CheckStatus::kWarn || c.status == CheckStatus::kFail)
        for (const std::string& d : c.details) out += kIndent + d + "\n";
      if (!c.fix.empty() && (c.status == CheckStatus::kWarn || c.status == CheckStatus::kFail))
        out += std::string(kIndent) + "fix: " + c.fix + "\n";
    }
  }
  out += "\n" + painted(report.toonbox.summary, verdict_colour(report.exit_code), color) + "\n";
  if (report.pytorch) out += report.pytorch->summary + "\n";
  return out;
}

}  // namespace toonbox::doctor
