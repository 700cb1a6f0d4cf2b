#include "cli/serve_command.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/config.hpp"
#include "cli/node_command.hpp"
#include "cli/policy_option.hpp"
#include "runtime/engine.hpp"
#include "runtime/metrics_http.hpp"
#include "runtime/request_spec.hpp"

namespace styx::cli {

CLI::App* add_serve_command(CLI::App& app, serve_cli_options& o) {
  auto* cmd = app.add_subcommand(
    "serve", "hold an engine open and serve its Prometheus metrics until SIGINT/SIGTERM");
  cmd->add_option("--metrics", o.metrics,
                  "HOST:PORT (or PORT: loopback) to serve GET /metrics on (port 0: any)")
    ->capture_default_str();
  cmd->add_option("-f,--file", o.files, "a request spec (styx up's YAML) to submit at start");
  cmd->add_option("-n,--count", o.count, "submit a request of this many instances at start");
  cmd->add_option("--name", o.name, "the --count request's name prefix")->capture_default_str();
  cmd->add_option("--provider", o.providers, "cloud(s) of the engine (default: sim)");
  cmd->add_option("--region", o.regions, "region(s) of those clouds");
  cmd->add_option("--policy", o.policy, policy_help("cheapest"))->expected(1, 2);
  cmd->add_option("--nodes", o.nodes_file, "YAML list of host:port nodes (+ tls settings)");
  return cmd;
}

namespace {

std::vector<provision_request> requests_of(const serve_cli_options& o) {
  std::vector<provision_request> out;
  auto now = system_clock{}.wall_ms();
  for (auto& f : o.files) {
    try {
      out.push_back(load_request_spec(f, now));
    } catch (const spec_error& e) {
      throw usage_error(e.what());
    }
  }
  if (o.count < 0)
    throw usage_error("--count must not be negative");
  if (o.count > 0) {
    auto req = provision_request::make(o.name, resources{});
    req.count(o.count);
    for (auto& p : o.providers)
      req.provider(p);
    for (auto& r : o.regions)
      req.region(r);
    out.push_back(std::move(req));
  }
  for (auto& r : out)
    if (auto problem = r.validate())
      throw usage_error(*problem);
  return out;
}

} // namespace

int run_serve(const common_options& common, const serve_cli_options& o) {
  std::pair<std::string, uint16_t> where;
  try {
    where = parse_metrics_address(o.metrics);
  } catch (const std::runtime_error& e) {
    throw usage_error(std::string{"--metrics: "} + e.what());
  }
  auto requests = requests_of(o);
  auto cfg = config_for(common, o.providers, o.regions, false);
  parse_policy_words(o.policy, cfg.policy, cfg.within);
  if (!o.nodes_file.empty())
    apply_nodes_file(o.nodes_file, !o.providers.empty(), cfg);
  // Block the signals before any thread starts, so that only sigwait sees them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  auto eng = engine::start(cfg); // reconciles first with a state dir
  auto* e = eng.get();
  auto server = std::make_unique<metrics_server>(where.first, where.second,
                                                 [e] { return e->metrics_text(); });
  std::cout << "metrics on http://" << (where.first.find(':') != std::string::npos
                                          ? "[" + where.first + "]" : where.first)
            << ':' << server->port() << "/metrics" << std::endl;
  std::mutex out_mtx;
  scoped_subscription on_done{*eng, [&out_mtx](const engine_event& ev) { // ends before out_mtx
    if (auto* d = std::get_if<request_done>(&ev)) {
      std::lock_guard<std::mutex> guard{out_mtx};
      std::cout << "request " << d->request.to_string() << ": " << d->running << '/' << d->count
                << " running" << (d->ok ? "" : d->rolled_back ? ", rolled back" : ", failed")
                << (d->error.empty() ? "" : ": " + d->error) << std::endl;
    }
  }};
  for (auto& r : requests) {
    auto h = eng->submit(std::move(r));
    std::lock_guard<std::mutex> guard{out_mtx};
    std::cout << "submitted " << h.id().to_string() << std::endl;
  }
  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("serve: signal {}, stopping", sig);
  server.reset(); // before the engine: no scrape asks a stopping engine
  eng->shutdown();
  return exit_ok;
}

} // namespace styx::cli
