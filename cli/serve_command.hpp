#pragma once
// `styx serve`: a long-running engine that Prometheus can scrape. It holds an engine open
// (the simulated cloud by default, or --provider/--region/--nodes), serves its metrics
// (engine::metrics_text) on --metrics HOST:PORT, submits the requests it is given at start
// (--file SPEC, repeatable; --count N), prints each one's end, and runs until SIGINT or
// SIGTERM, when it drains the actors and persists (exit 0). `styx up --detach` returns once
// the clouds accepted its instances, so nothing would be left to scrape: this is the
// equivalent the issue asks for.
//
//   styx serve --metrics 127.0.0.1:9464 [--count 100] [--file spec.yaml] [--provider sim]
//
// Prints "metrics on http://HOST:PORT/metrics" on stdout once it listens.

#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace styx::cli {

struct serve_cli_options {
  std::string metrics = "127.0.0.1:9464";
  std::vector<std::string> files; // specs submitted at start
  int count = 0;                  // > 0: one more request of this many default instances
  std::string name = "serve";
  std::vector<std::string> providers;
  std::vector<std::string> regions;
  std::vector<std::string> policy{"cheapest"};
  std::string nodes_file;
};

CLI::App* add_serve_command(CLI::App& app, serve_cli_options& opts);
int run_serve(const common_options& common, const serve_cli_options& opts);

} // namespace styx::cli
