#pragma once
// The fan-out benchmark harness behind `styx bench`: provisions N instances through the whole
// engine (on simulated providers, or on aws, e.g. against moto), in the shape and at the
// arrival pattern of runtime/bench_plan.hpp, then terminates them, and measures what a platform
// engineer asks of an engine: time until all run, time-to-running percentiles, throughput over
// time, API calls per instance, throttles and retries, the achieved create time against the
// combined limit of the providers' buckets (runtime/bench_plan.hpp), where the instances went
// and what they cost, CPU time per instance and peak memory. The SVG is runtime/bench_svg.cpp's.
//
// Thread rules: run_bench blocks its caller until the run is over; the writers are pure.

#include <ostream>
#include <string>
#include <vector>

#include "runtime/engine_config.hpp"

namespace styx {

struct bench_options {
  int count = 10'000;
  std::string shape = "even";  // even: `requests` equal parts; mix: seeded sizes of 1 to 1000
  int requests = 1;            // even: 1 is one request of N, N is N requests of 1
  std::string arrival = "burst"; // burst: all at once; uniform or poisson at `arrival_rate`
  double arrival_rate = 0;     // requests per second
  std::string cloud = "sim";   // sim, aws (the AWS CLI's chain) or gcp (gcloud's chain)
  std::vector<std::string> regions; // aws, gcp: one provider each (default us-east-1; gcp:
                                    // gcloud's region, else us-central1)
  std::string gcp_project;     // gcp: empty: gcloud's chain
  std::string azure_subscription; // azure: empty: AZURE_SUBSCRIPTION_ID
  std::string azure_group;     // azure: empty: AZURE_RESOURCE_GROUP
  int providers = 1;           // sim: simulated regions, one provider each
  std::string profile = "ec2"; // ec2: EC2's buckets and latency; unlimited: none of it
  double rate_scale = 1;       // multiplies every refill rate (client and cloud alike)
  double pending_seconds = -1; // boot delay; negative: the profile's
  size_t threads = 0;
  uint64_t seed = 1;
  placement_policy policy = placement_policy::fastest; // the engine's (cli: --policy)
  duration within{};           // cheapest_within: each request's deadline
  double price_step = 0;       // sim: provider i's prices x (1 + price_step x i)
};

struct bench_sample {
  double t = 0;                // seconds since the start
  int requested = 0, pending = 0, running = 0, terminated = 0, failed = 0;
  int created = 0;             // creates answered so far (requested -> pending)
  uint64_t api_calls = 0, throttled = 0;
};

/// One point of a curve: instances by `t` seconds.
struct bench_point {
  double t = 0;
  double instances = 0;
};

/// Where a run's instances were created, and at what price.
struct bench_provider_share {
  std::string provider;
  int created = 0;
  double price = 0; // USD per hour of one instance there (0: unknown)
};

struct bench_result {
  bench_options options;
  double seconds_to_running = 0; // first submit -> last instance running
  double seconds_to_created = 0; // first submit -> last create answered
  double seconds_down = 0;       // terminate -> all terminated
  double p50 = 0, p90 = 0, p99 = 0, max = 0; // time to running, seconds
  int requests = 0;               // submitted (the plan's)
  int running = 0, failed = 0;
  uint64_t api_calls = 0, throttled = 0, retries = 0;
  uint64_t slowed_by_cloud = 0; // answers whose rate-limit headers lowered a bucket
  // The combined limit: every allowed provider's buckets fed in parallel, plus the arrivals.
  double limit_seconds = 0;
  double achieved_over_limit = 0;         // limit_seconds / seconds_to_created (1: the limit)
  // The old figure: each request whole on one provider, round-robin.
  double whole_request_bound_seconds = 0;
  double achieved_over_whole_request_bound = 0;
  std::string plan;                       // the engine's quote for the first request
  std::vector<bench_provider_share> shares;
  double spend_per_hour = 0;              // of everything created, at its provider's price
  double cheapest_spend_per_hour = 0;     // the same count at the cheapest provider's price
  double slowest_request_seconds = 0;     // its arrival to its last create
  double cpu_seconds = 0;
  double peak_rss_mib = 0;
  std::vector<bench_sample> timeline;
  std::vector<bench_point> ideal;         // the combined limit's created-curve
};

/// CPU time (user + system) this process has used, in seconds.
double process_cpu_seconds();
/// The most memory this process has held (peak RSS), in MiB.
double process_peak_rss_mib();

/// The engine configuration a profile stands for.
engine_config bench_config(const bench_options& opts);

/// Runs one benchmark. Throws engine_error.
bench_result run_bench(const bench_options& opts);

void write_summary(std::ostream& out, const bench_result& r);
void write_json(std::ostream& out, const bench_result& r);
/// Instances per state, the achieved and the ideal created-curve, and (in a panel of its own)
/// API calls per second over time, as a standalone SVG (runtime/bench_svg.cpp).
void write_svg(std::ostream& out, const bench_result& r);

} // namespace styx
