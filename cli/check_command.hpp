#pragma once
// `styx check`: which clouds are usable for `styx up` (what `sky check` does).
//
//   styx check [--provider aws ...] [--region R ...] [--json]
//
// For each cloud (all six when no --provider is given): whether its credentials are found
// and from where, whether its endpoint answers an authenticated read (its catalog, asked
// through its provider actor: runtime/cloud_check.hpp) and whether it is usable. Exit code 1
// when a cloud named by --provider is not usable (or, without --provider, when none is).

#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace styx::cli {

struct check_options {
  std::vector<std::string> providers; // empty: every known cloud
  std::vector<std::string> regions;
  bool json = false;
};

CLI::App* add_check_command(CLI::App& app, check_options& opts);
int run_check(const common_options& common, const check_options& opts);

/// `styx up --provider --help`: the clouds this build knows, each with whether its
/// credentials are found (settings only, no cloud call) and where from.
void print_provider_help(const common_options& common, std::ostream& out);

} // namespace styx::cli
