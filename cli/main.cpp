// styx: provision cloud instances at scale.
//
//   styx up --count 1000 [--provider sim|aws|gcp|azure|kubernetes|local] [--cpus 2 ...]
//   styx up --file spec.yaml [--detach]
//   styx status [--json] [--refresh] [--nodes FILE]
//   styx reconcile [--json] [--nodes FILE]
//   styx stop|start|down (ID|NAME|CLOUD-ID ... | --tag k=v | --request ID | --all) [--json]
//                        [--nodes FILE]
//   styx check [--provider CLOUD ...] [--json]
//   styx completion bash
//   styx --version
//
// Exit codes: cli/exit_codes.hpp (also the footer of `styx --help`).

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "cli/bench_command.hpp"
#include "cli/check_command.hpp"
#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/node_command.hpp" // distributed nodes
#include "cli/policy_option.hpp"
#include "cli/serve_command.hpp" // a long-running engine with metrics
#include "common/one_line.hpp"

namespace {

void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("styx");
  spdlog::set_default_logger(logger);
  auto level = spdlog::level::warn;
  if (const char* env = std::getenv("STYX_LOG"); env != nullptr && *env != '\0')
    level = spdlog::level::from_str(env);
  if (verbosity == 1)
    level = spdlog::level::info;
  else if (verbosity > 1)
    level = spdlog::level::debug;
  spdlog::set_level(level);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

} // namespace

int main(int argc, char** argv) {
  using namespace styx::cli;
  CLI::App app{"styx: provisions cloud instances at scale"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("styx ") + STYX_VERSION);
  app.footer(exit_codes_help());
  app.fallthrough(); // global options after the command too: `styx up --state-dir DIR`
  common_options common;
  app.add_option("--state-dir", common.state_dir,
                 "where state lives (default $STYX_STATE_DIR or ~/.styx)");
  app.add_flag("-v,--verbose", common.verbosity, "log more (-vv: debug)");
  app.add_option("--project", common.gcp_project,
                 "GCP project (default: CLOUDSDK_CORE_PROJECT, gcloud's config, the key's)");
  app.add_option("--context", common.k8s_contexts,
                 "kubeconfig context(s) of the kubernetes provider (default: current-context)");
  app.add_option("--namespace", common.k8s_namespace,
                 "namespace of the kubernetes provider (default: the context's, else default)");
  app.add_option("--subscription", common.azure_subscription,
                 "Azure subscription (default: AZURE_SUBSCRIPTION_ID)");
  app.add_option("--resource-group", common.azure_group,
                 "Azure resource group (default: AZURE_RESOURCE_GROUP)");
  app.add_option("--call-timeout", common.call_timeout,
                 "seconds one HTTP exchange with a cloud may take before it is retried "
                 "(default: 60 for aws and gcp, 30 for azure and kubernetes)");

  up_options up;
  auto* up_cmd = app.add_subcommand("up", "provision instances and wait until they run");
  up_cmd->add_option("-f,--file", up.file, "a YAML spec with the same fields as the flags");
  up_cmd->add_option("--name", up.name, "instance name prefix")->default_val("styx");
  up_cmd->add_option("-n,--count", up.count, "instances to provision")->default_val(1);
  up_cmd->add_option("--min-count", up.min_count,
                     "fewer running than this rolls the request back (default: count)");
  up_cmd->add_option("--cpus", up.cpus, "vCPUs per instance")->default_val(1);
  up_cmd->add_option("--memory", up.memory, "memory per instance, GiB")->default_val(1);
  up_cmd->add_option("--gpus", up.gpus, "GPUs per instance")->default_val(0);
  up_cmd->add_option("--gpu-kind", up.gpu_kind, "GPU model, e.g. V100, A10G");
  up_cmd->add_option("--provider", up.providers,
                     std::string("cloud(s) to use: ") + styx::known_clouds()
                       + " (default sim; `styx up --provider --help` says which have "
                         "credentials, styx check which are usable)");
  up_cmd->add_option("--region", up.regions, "allowed region(s)");
  up_cmd->add_option("--zone", up.zones, "allowed zone(s)");
  up_cmd->add_option("--instance-type", up.instance_types, "allowed instance type(s)");
  up_cmd->add_flag("--spot", up.spot, "buy spot capacity");
  up_cmd->add_option("--max-price", up.max_price, "USD per hour cap");
  up_cmd->add_option("--tag", up.tags, "k=v tag on every instance (repeatable)");
  up_cmd->add_option("--image,--command", up.image,
                     "machine image (local: the shell command each process runs)");
  up_cmd->add_option("--timeout", up.timeout, "give up on what is not running after N seconds");
  up_cmd->add_option("--policy", up.policy, styx::cli::policy_help("cheapest"))
    ->expected(1, 2);
  up_cmd->add_flag("--detach", up.detach, "return once the cloud accepted every instance");
  up_cmd->add_flag("--json", up.json, "print the result as JSON");
  up_cmd->add_option("--nodes", up.nodes_file, "YAML list of host:port nodes (+ tls settings)");
  up_cmd->add_option("--resume", up.resume,
                     "reconcile, then provision what an interrupted request still lacks");

  status_options status;
  auto* status_cmd = app.add_subcommand("status", "list this engine's instances");
  status_cmd->add_flag("--json", status.json, "print JSON");
  status_cmd->add_flag("--refresh", status.refresh, "ask the clouds instead of the store");
  const char* nodes_help = "nodes file to use instead of the nodes this state dir remembers";
  status_cmd->add_option("--nodes", common.nodes_file, nodes_help);

  reconcile_options reconcile;
  auto* reconcile_cmd =
    app.add_subcommand("reconcile", "match the clouds to the store: adopt, end surplus/orphans");
  reconcile_cmd->add_flag("--json", reconcile.json, "print JSON");
  reconcile_cmd->add_option("--nodes", common.nodes_file, nodes_help);

  change_options change;
  auto add_change = [&](const char* name, const char* help, styx::change_op op) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("instances", change.instances, "instance ids, names or cloud ids");
    cmd->add_option("--tag", change.tags, "select by k=v tag (repeatable)");
    cmd->add_option("--request", change.requests, "select by request id");
    cmd->add_flag("--all", change.all, "select every instance");
    cmd->add_flag("--json", change.json, "print JSON");
    cmd->add_option("--wait", change.wait_seconds, "seconds to wait for the change")
      ->default_val(600);
    cmd->add_option("--nodes", common.nodes_file, nodes_help);
    cmd->callback([&change, op] { change.op = op; });
    return cmd;
  };
  auto* stop_cmd = add_change("stop", "stop instances", styx::change_op::stop);
  auto* start_cmd = add_change("start", "start stopped instances", styx::change_op::start);
  auto* down_cmd = add_change("down", "terminate instances", styx::change_op::terminate);

  // Distributed nodes (cli/node_command.hpp).
  node_cli_options node_opts;
  auto* node_cmd = add_node_command(app, node_opts);

  auto* bench_cmd = add_bench_command(app);
  serve_cli_options serve_opts;
  auto* serve_cmd = add_serve_command(app, serve_opts);
  check_options check;
  auto* check_cmd = add_check_command(app, check);
  std::string shell;
  auto* completion_cmd = add_completion_command(app, shell);

  // The first word that is not an option must be a command.
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.empty() || word[0] == '-') {
      if (word == "--state-dir" || word == "--project" || word == "--subscription"
          || word == "--resource-group")
        ++i; // its value
      continue;
    }
    auto subs = app.get_subcommands([&](CLI::App* sub) { return sub->check_name(word); });
    if (subs.empty()) {
      std::cerr << "styx: unknown command '" << word
                << "' (known: up, status, reconcile, stop, start, down, bench, node, serve, "
                   "check, completion; see styx --help)\n";
      return exit_bad_input;
    }
    break;
  }
  for (int i = 1; i + 1 < argc; ++i) // `styx up --provider --help`: the clouds and their state
    if (std::string(argv[i]) == "--provider"
        && (std::string(argv[i + 1]) == "--help" || std::string(argv[i + 1]) == "-h")) {
      try {
        print_provider_help(common, std::cout);
      } catch (const std::exception& e) {
        std::cerr << "styx: " << styx::one_line(e.what()) << '\n';
        return exit_bad_input;
      }
      return exit_ok;
    }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "styx: " << styx::one_line(e.what()) << " (see styx --help)\n";
    return exit_bad_input;
  }
  setup_logging(common.verbosity);
  try {
    if (up_cmd->parsed())
      return run_up(common, up);
    if (bench_cmd->parsed())
      return run_bench_command(common);
    if (status_cmd->parsed())
      return run_status(common, status);
    if (reconcile_cmd->parsed())
      return run_reconcile(common, reconcile);
    if (stop_cmd->parsed() || start_cmd->parsed() || down_cmd->parsed())
      return run_change(common, change);
    if (node_cmd->parsed())
      return run_node(common, node_opts);
    if (serve_cmd->parsed())
      return run_serve(common, serve_opts);
    if (check_cmd->parsed())
      return run_check(common, check);
    if (completion_cmd->parsed())
      return run_completion(app, shell);
  } catch (const usage_error& e) {
    std::cerr << "styx: " << styx::one_line(e.what()) << '\n';
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "styx: " << styx::one_line(e.what()) << '\n';
    return exit_failed;
  }
  return exit_bad_input;
}
