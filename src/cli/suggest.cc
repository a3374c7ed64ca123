#include "cli/suggest.h"

#include <algorithm>

namespace toonbox::cli {

namespace {

// Optimal string alignment distance (Levenshtein plus adjacent swaps): "--devcie" is one
// swap from "--device", the commonest typo.
size_t edit_distance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

// Typed words longer than this are not compared (an argument is not a typo of a flag;
// and the table stays small).
constexpr size_t kMaxCompared = 64;

}  // namespace

std::string closest_match(const std::string& typed, const std::vector<std::string>& candidates) {
  if (typed.empty() || typed.size() > kMaxCompared) return "";
  std::string best;
  size_t best_distance = 3;  // at most 2 edits
  for (const std::string& c : candidates) {
    if (c.empty() || c.size() > kMaxCompared) continue;
    const size_t d = edit_distance(typed, c);
    if (d < best_distance && 2 * d < typed.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates) {
  const std::string match = closest_match(typed, candidates);
  return match.empty() ? "" : " (did you mean " + match + "?)";
}

}  // namespace toonbox::cli
