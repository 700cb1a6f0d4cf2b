#include "cli/bench_command.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

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

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in{text};
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

/// A scenario file: the flags' fields in YAML. Flags given on the command line win.
void apply_scenario(const std::string& path, CLI::App& cmd) {
  YAML::Node y;
  try {
    y = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    throw usage_error("scenario " + path + ": " + e.what());
  }
  if (!y.IsMap())
    throw usage_error("scenario " + path + ": expected a map of the bench flags' fields");
  auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  try {
    for (auto it : y) {
      auto key = it.first.as<std::string>();
      auto& v = it.second;
      if (key == "count") {
        if (!given("--count")) opts.count = v.as<int>();
      } else if (key == "shape") {
        if (!given("--shape")) opts.shape = v.as<std::string>();
      } else if (key == "requests") {
        if (!given("--requests")) opts.requests = v.as<int>();
      } else if (key == "arrival") {
        if (!given("--arrival")) opts.arrival = v.as<std::string>();
      } else if (key == "arrival_rate") {
        if (!given("--arrival-rate")) opts.arrival_rate = v.as<double>();
      } else if (key == "provider") {
        if (!given("--provider")) opts.cloud = v.as<std::string>();
      } else if (key == "regions") {
        if (!given("--region")) opts.regions = v.as<std::vector<std::string>>();
      } else if (key == "providers") {
        if (!given("--providers")) opts.providers = v.as<int>();
      } else if (key == "profile") {
        if (!given("--profile")) opts.profile = v.as<std::string>();
      } else if (key == "rate_scale") {
        if (!given("--rate-scale")) opts.rate_scale = v.as<double>();
      } else if (key == "pending") {
        if (!given("--pending")) opts.pending_seconds = v.as<double>();
      } else if (key == "seed") {
        if (!given("--seed")) opts.seed = v.as<uint64_t>();
      } else if (key == "policy") { // "fastest", "cheapest-within 90s" or a list of the words
        if (!given("--policy"))
          policy_words = v.IsSequence() ? v.as<std::vector<std::string>>()
                                        : words_of(v.as<std::string>());
      } else if (key == "price_step") {
        if (!given("--price-step")) opts.price_step = v.as<double>();
      } else {
        throw usage_error("scenario " + path + ": unknown field '" + key + "'");
      }
    }
  } catch (const YAML::Exception& e) {
    throw usage_error("scenario " + path + ": " + e.what());
  }
}

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
  cmd->add_option("--seed", opts.seed, "seed of the simulated cloud")->default_val(1);
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
  if (!scenario_file.empty())
    apply_scenario(scenario_file, *bench_cmd);
  if (opts.count <= 0)
    throw usage_error("count must be positive, got " + std::to_string(opts.count));
  if (auto why = check_plan_options(opts); !why.empty())
    throw usage_error(why);
  if (opts.cloud != "sim" && opts.cloud != "aws" && opts.cloud != "gcp" && opts.cloud != "azure")
    throw usage_error("unknown provider '" + opts.cloud + "' (known: " + known_clouds() + ")");
  if (opts.providers <= 0 || opts.providers > 8)
    throw usage_error("providers must be between 1 and 8");
  if (opts.profile != "ec2" && opts.profile != "unlimited")
    throw usage_error("unknown profile '" + opts.profile + "' (known: ec2, unlimited)");
  if (!(opts.rate_scale > 0))
    throw usage_error("rate-scale must be positive");
  parse_policy_words(policy_words, opts.policy, opts.within);
  if (!(opts.price_step >= 0))
    throw usage_error("price-step must not be negative");
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
