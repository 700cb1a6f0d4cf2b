#pragma once
// `styx bench`: the fan-out benchmark harness (runtime/bench.hpp) on the command line.

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace styx::cli {

/// Adds the subcommand to `app`; the returned function runs it when it was parsed.
CLI::App* add_bench_command(CLI::App& app);
int run_bench_command(const common_options& common);

} // namespace styx::cli
