// "Did you mean ...?" for a mistyped option or command. CLI11 (2.1.2, Debian's) has no
// suggestions of its own, so this small edit-distance match is ours.
#pragma once

#include <string>
#include <vector>

namespace toonbox::cli {

// The candidate closest to `typed` by edit distance (insertions, deletions, substitutions
// and swaps of neighbours, each 1), if it is close enough to be a typo: at most 2 edits,
// and fewer than half of `typed`'s characters (so `-x` suggests nothing). Ties go to the
// first candidate. Empty when none is close.
std::string closest_match(const std::string& typed, const std::vector<std::string>& candidates);

// " (did you mean --device?)"-style tail for a message, or "" when nothing is close.
std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace toonbox::cli
