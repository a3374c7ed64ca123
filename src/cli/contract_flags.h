// The command-line overrides of a model's contract, read the same way by `run`,
// `cartoonize` (--channels) and `models import` (which records them).
#pragma once

#include "cli/args.h"
#include "models/registry.h"

namespace toonbox::cli {

// Reads whichever of --layout, --channels, --range, --input-range and --multiple the
// command accepted and the user gave; a bad value is an invalid_argument naming it.
Result<models::ContractOverrides> parse_contract_flags(const ParsedArgs& a);

}  // namespace toonbox::cli
