#include "cli/bench_command.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/bench_scenario.hpp"
#include "cli/commands.hpp"
#include "cli/policy_option.hpp"
#include "runtime/bench.hpp"
#include "runtime/bench_plan.hpp"

namespace styx::cli {

namespace {

bench_options opts;
std::vector<std::string> policy_words{"fastest"};
bool json = false;
std::string svg_file;
std::string scenario_file;

CLI::App* bench_cmd = nullptr;

} // namespace

CLI::App* add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "measure a fan-out on simulated providers or aws");
  bench_cmd = cmd;
  cmd->add_option("-f,--file", scenario_file, "a YAML scenario with the same fields as the flags");
  cmd->add_option("-n,--count", opts.count, "instances")->default_val(10000);
  cmd->add_option("--shape", opts.shape,
                  "even (--requests equal parts) or mix (seeded sizes of 1 to 1000)")
    ->default_val("even");
  cmd->add_option("--requests", opts.requests,
                  "even: split the count into this many requests (1: one of N; N: N of 1)")
    ->default_val(1);
  cmd->add_option("--arrival", opts.arrival, "burst (all at once), uniform or poisson")
    ->default_val("burst");
  cmd->add_option("--arrival-rate", opts.arrival_rate, "requests per second (uniform, poisson)");
  cmd->add_option("--provider", opts.cloud,
                  "sim (default), aws (the AWS CLI's chain), gcp (gcloud's chain) or azure "
                  "(AZURE_* variables)")
    ->default_val("sim");
  cmd->add_option("--region", opts.regions, "aws, gcp, azure: region(s), one provider each");
  cmd->add_option("--providers", opts.providers, "sim: simulated providers (regions)")
    ->default_val(1);
  cmd->add_option("--profile", opts.profile,
                  "ec2 (EC2's buckets, latency, boot delay) or unlimited (the engine alone)")
    ->default_val("ec2");
  cmd->add_option("--rate-scale", opts.rate_scale, "multiply every bucket's refill rate")
    ->default_val(1);
  cmd->add_option("--pending", opts.pending_seconds, "boot delay in seconds");
  cmd->add_option("--threads", opts.threads, "scheduler threads (0: cores)");
  cmd->add_option("--seed", opts.seed, "seed of the simulated cloud (runs on a real cloud are never seeded)")->default_val(1);
  cmd->add_option("--policy", policy_words, policy_help("fastest"))->expected(1, 2);
  cmd->add_option("--price-step", opts.price_step,
                  "sim: provider i's prices x (1 + STEP x i), for cheapest-within")
    ->default_val(0);
  cmd->add_flag("--json", json, "print JSON (with the timeline)");
  cmd->add_option("--svg", svg_file, "write a timeline chart to this SVG file");
  return cmd;
}

int run_bench_command(const common_options& common) {
  opts.gcp_project = common.gcp_project;
  opts.azure_subscription = common.azure_subscription;
  opts.azure_group = common.azure_group;
  if (!scenario_file.empty()) {
    std::ifstream in{scenario_file};
    if (!in)
      throw usage_error("scenario " + scenario_file + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    apply_bench_scenario(text.str(), "scenario " + scenario_file,
                         [](const char* flag) { return bench_cmd->count(flag) > 0; }, opts,
                         policy_words);
  }
  check_bench_options(opts, policy_words);
  auto result = run_bench(opts);
  if (json)
    write_json(std::cout, result);
  else
    write_summary(std::cout, result);
  if (!svg_file.empty()) {
    std::ofstream out{svg_file};
    write_svg(out, result);
    if (!out)
      throw std::runtime_error("cannot write " + svg_file);
  }
  return result.failed == 0 ? exit_ok : exit_failed;
}

} // namespace styx::cli
