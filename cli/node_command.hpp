#pragma once
// `styx node`: runs provider actors for remote engines (runtime/node.hpp).
//
//   styx node --listen 127.0.0.1:7400 --insecure --region us-east-1 [--state-dir DIR]
//   styx node --config node.yaml    # listen, cloud, regions, state_dir, sim_profile,
//                                   # insecure, tls: {cafile, certificate, key}
//
// Prints "listening on HOST:PORT" on stdout once published (then, with --metrics HOST:PORT,
// "metrics on http://HOST:PORT/metrics": its providers' metrics, runtime/metrics_collect.hpp);
// runs until SIGINT or SIGTERM.

#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "runtime/engine_config.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace styx::cli {

struct node_cli_options {
  std::string config;
  std::string listen = "127.0.0.1:0";
  std::string cloud = "sim";
  std::vector<std::string> regions;
  std::string sim_profile = "ec2"; // ec2 (the defaults) or fast (no limits, short delays)
  double rate_scale = 1;           // multiplies every bucket's refill rate, client and cloud
  bool insecure = false;
  std::string cafile, certificate, key;
  std::string metrics; // HOST:PORT (or PORT: loopback) for GET /metrics; empty: none
};

CLI::App* add_node_command(CLI::App& app, node_cli_options& opts);

/// `styx up --nodes FILE` (runtime/node_client.hpp's load_nodes_file): the nodes' providers
/// join the engine; local providers stay only when `keep_local` (--provider was given).
void apply_nodes_file(const std::string& path, bool keep_local, engine_config& cfg);
int run_node(const common_options& common, const node_cli_options& opts);

} // namespace styx::cli
