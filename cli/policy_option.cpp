#include "cli/policy_option.hpp"

#include "cli/commands.hpp"

namespace styx::cli {

namespace {

constexpr const char* known =
  "cheapest, fastest, cheapest-within DEADLINE, round-robin, least-loaded";

} // namespace

void parse_policy_words(const std::vector<std::string>& words, placement_policy& policy,
                        duration& within) {
  if (words.empty() || words.size() > 2)
    throw usage_error(std::string{"--policy expects one of: "} + known);
  placement_policy p{};
  if (!parse_placement_policy(words[0], p))
    throw usage_error("unknown policy '" + words[0] + "' (known: " + known + ")");
  duration d{};
  if (p == placement_policy::cheapest_within) {
    if (words.size() < 2)
      throw usage_error("--policy cheapest-within needs a deadline, e.g. cheapest-within 90s");
    if (!parse_span(words[1], d))
      throw usage_error("--policy cheapest-within: '" + words[1]
                        + "' is not a deadline (e.g. 90, 90s, 1.5m, 2h)");
  } else if (words.size() > 1) {
    throw usage_error("--policy " + words[0] + " takes no deadline (only cheapest-within does)");
  }
  policy = p;
  within = d;
}

std::string policy_help(const std::string& default_name) {
  return "cheapest, fastest (spread over every fitting provider), cheapest-within DEADLINE "
         "(cheapest first, spilling only as far as the deadline needs: 90s, 2m), round-robin "
         "or least-loaded; default " + default_name;
}

} // namespace styx::cli
