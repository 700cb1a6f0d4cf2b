#include "cli/bench_command.hpp"

#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "runtime/bench.hpp"

namespace styx::cli {

namespace {

bench_options opts;
bool json = false;
std::string svg_file;

} // namespace

CLI::App* add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "measure a fan-out on simulated providers");
  cmd->add_option("-n,--count", opts.count, "instances")->default_val(10000);
  cmd->add_option("--requests", opts.requests,
                  "split the count into this many requests (1: one request of N)")
    ->default_val(1);
  cmd->add_option("--providers", opts.providers, "simulated providers (regions)")
    ->default_val(1);
  cmd->add_option("--profile", opts.profile,
                  "ec2 (EC2's buckets, latency, boot delay) or unlimited (the engine alone)")
    ->default_val("ec2");
  cmd->add_option("--rate-scale", opts.rate_scale, "multiply every bucket's refill rate")
    ->default_val(1);
  cmd->add_option("--pending", opts.pending_seconds, "boot delay in seconds");
  cmd->add_option("--threads", opts.threads, "scheduler threads (0: cores)");
  cmd->add_option("--seed", opts.seed, "seed of the simulated cloud")->default_val(1);
  cmd->add_flag("--json", json, "print JSON (with the timeline)");
  cmd->add_option("--svg", svg_file, "write a timeline chart to this SVG file");
  return cmd;
}

int run_bench_command() {
  if (opts.count <= 0)
    throw usage_error("count must be positive, got " + std::to_string(opts.count));
  if (opts.requests <= 0 || opts.requests > opts.count)
    throw usage_error("requests must be between 1 and count");
  if (opts.providers <= 0 || opts.providers > 8)
    throw usage_error("providers must be between 1 and 8");
  if (opts.profile != "ec2" && opts.profile != "unlimited")
    throw usage_error("unknown profile '" + opts.profile + "' (known: ec2, unlimited)");
  if (!(opts.rate_scale > 0))
    throw usage_error("rate-scale must be positive");
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
