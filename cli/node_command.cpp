#include "cli/node_command.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "cli/config.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/node.hpp"
#include "runtime/node_client.hpp"

namespace styx::cli {

CLI::App* add_node_command(CLI::App& app, node_cli_options& o) {
  auto* cmd = app.add_subcommand("node", "serve provider actors to remote engines");
  cmd->add_option("--config", o.config, "a YAML file with the same fields as the flags");
  cmd->add_option("--listen", o.listen, "HOST:PORT to publish on (port 0: any)");
  cmd->add_option("--cloud", o.cloud, "cloud of the providers: sim or aws (the node's own credentials)");
  cmd->add_option("--region", o.regions, "region(s), one provider each");
  cmd->add_option("--sim-profile", o.sim_profile, "ec2 (default) or fast");
  cmd->add_option("--rate-scale", o.rate_scale,
                  "multiply every bucket's refill rate (the node's and its sim cloud's)");
  cmd->add_flag("--insecure", o.insecure, "plaintext, loopback only");
  cmd->add_option("--cafile", o.cafile, "CA that signs the peers' certificates");
  cmd->add_option("--certificate", o.certificate, "this node's certificate (PEM)");
  cmd->add_option("--key", o.key, "this node's private key (PEM)");
  cmd->add_option("--metrics", o.metrics,
                  "HOST:PORT (or PORT: loopback) to serve its providers' Prometheus metrics on");
  return cmd;
}

void apply_nodes_file(const std::string& path, bool keep_local, engine_config& cfg) {
  try {
    load_nodes_file(path, cfg.nodes, cfg.node_net);
  } catch (const std::runtime_error& e) {
    throw usage_error(e.what());
  }
  for (auto& n : cfg.nodes)
    if (auto why = check_transport(n.host, cfg.node_net); !why.empty())
      throw usage_error("node " + n.to_string() + ": " + why);
  if (!keep_local)
    cfg.providers.clear();
}

namespace {

void apply_config_file(const std::string& path, node_cli_options& o, std::string& state_dir) {
  YAML::Node y;
  try {
    y = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    throw usage_error("node config " + path + ": " + e.what());
  }
  if (y["listen"])
    o.listen = y["listen"].as<std::string>();
  if (y["cloud"])
    o.cloud = y["cloud"].as<std::string>();
  if (y["regions"])
    o.regions = y["regions"].as<std::vector<std::string>>();
  if (y["sim_profile"])
    o.sim_profile = y["sim_profile"].as<std::string>();
  if (y["state_dir"] && state_dir.empty())
    state_dir = y["state_dir"].as<std::string>();
  if (y["rate_scale"])
    o.rate_scale = y["rate_scale"].as<double>();
  if (y["insecure"])
    o.insecure = y["insecure"].as<bool>();
  if (auto tls = y["tls"]) {
    if (tls["cafile"])
      o.cafile = tls["cafile"].as<std::string>();
    if (tls["certificate"])
      o.certificate = tls["certificate"].as<std::string>();
    if (tls["key"])
      o.key = tls["key"].as<std::string>();
  }
}

} // namespace

int run_node(const common_options& common, const node_cli_options& given) {
  auto o = given;
  auto state_dir = common.state_dir;
  if (!o.config.empty())
    apply_config_file(o.config, o, state_dir);
  node_options n;
  try {
    auto [host, port] = parse_host_port(o.listen);
    n.listen_host = host;
    n.port = port;
  } catch (const std::runtime_error& e) {
    throw usage_error(e.what());
  }
  n.cloud = o.cloud;
  n.regions = o.regions;
  n.state_dir = state_dir;
  if (o.sim_profile == "fast") {
    n.sim = sim_config::unlimited();
    n.sim.latency_median = milliseconds(5);
    n.sim.latency_p99 = milliseconds(20);
    n.sim.pending_min = milliseconds(200);
    n.sim.pending_max = milliseconds(800);
  } else if (o.sim_profile != "ec2") {
    throw usage_error("unknown --sim-profile '" + o.sim_profile + "' (known: ec2, fast)");
  }
  if (!(o.rate_scale > 0))
    throw usage_error("--rate-scale must be positive");
  n.limits.limits.scale_refill(o.rate_scale);
  n.sim.buckets.scale_refill(o.rate_scale);
  if (auto t = call_timeout_of(common))
    n.aws.request_timeout = *t;
  n.transport.insecure = o.insecure;
  n.transport.tls = node_tls{o.cafile, o.certificate, o.key};
  if (auto why = check_transport(n.listen_host, n.transport); !why.empty())
    throw usage_error(why);
  std::pair<std::string, uint16_t> metrics_at;
  if (!o.metrics.empty()) {
    try {
      metrics_at = parse_metrics_address(o.metrics);
    } catch (const std::runtime_error& e) {
      throw usage_error(std::string{"--metrics: "} + e.what());
    }
  }
  // Block the signals before any thread starts, so only sigwait sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  auto running = node::start(std::move(n));
  std::cout << "listening on " << o.listen.substr(0, o.listen.rfind(':')) << ':'
            << running->port() << std::endl;
  std::unique_ptr<metrics_server> metrics;
  if (!o.metrics.empty()) {
    auto* n = running.get();
    metrics = std::make_unique<metrics_server>(metrics_at.first, metrics_at.second,
                                               [n] { return n->metrics_text(); });
    std::cout << "metrics on http://" << metrics_at.first << ':' << metrics->port()
              << "/metrics" << std::endl;
  }
  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("node: signal {}, stopping", sig);
  metrics.reset(); // before the node: no scrape asks a stopping node
  running->stop();
  return exit_ok;
}

} // namespace styx::cli
