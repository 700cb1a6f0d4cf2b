#pragma once
// `--policy` of `styx up` and `styx bench`: a placement policy, and for cheapest-within its
// deadline, as the user types them: `--policy fastest`, `--policy cheapest-within 90s`.

#include <string>
#include <vector>

#include "actors/placement.hpp"

namespace styx::cli {

/// The words after --policy: a policy name, and a span (actors/placement.hpp parse_span) for
/// cheapest-within. Throws usage_error (one line) for anything else.
void parse_policy_words(const std::vector<std::string>& words, placement_policy& policy,
                        duration& within);

/// The --policy help text, with every policy's name and which is the default.
std::string policy_help(const std::string& default_name);

} // namespace styx::cli
