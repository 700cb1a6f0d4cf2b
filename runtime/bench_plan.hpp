#pragma once
// What `styx bench` submits, and when: the request shape (one request of N, N requests of 1,
// equal parts, or a seeded mix of sizes) and the arrival pattern (all at once, evenly spaced,
// or Poisson), planned up front from the options and a seed, so a run can be repeated. Also the
// bound: the fastest the create buckets allow for that plan.
//
//   auto plan = plan_requests(opts);          // sizes sum to opts.count
//   double bound = plan_bound_seconds(plan, limits, opts.providers);

#include <cstdint>
#include <string>
#include <vector>

#include "actors/provider_config.hpp"

namespace styx {

struct bench_options;

struct planned_request {
  double at = 0;   // seconds after the start
  int count = 0;   // instances
};

/// Empty when the shape and arrival options are valid; else why not, in one line.
std::string check_plan_options(const bench_options& opts);

/// The requests of a run, in submission order. Deterministic for the options' seed.
std::vector<planned_request> plan_requests(const bench_options& opts);

/// The seconds the create buckets need for `count` instances on one provider.
double create_bound_seconds(const rate_limits& limits, int count);

/// The bound of a plan: requests go round-robin over `providers` (the placement policy of the
/// benchmark), each provider needs create_bound_seconds() for its share, and nothing can be
/// created before its request arrived.
double plan_bound_seconds(const std::vector<planned_request>& plan, const rate_limits& limits,
                          int providers);

} // namespace styx
