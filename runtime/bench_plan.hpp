#pragma once
// What `styx bench` submits, and when: the request shape (one request of N, N requests of 1,
// equal parts, or a seeded mix of sizes) and the arrival pattern (all at once, evenly spaced,
// or Poisson), planned up front from the options and a seed, so a run can be repeated. Also
// what the buckets allow for that plan:
//
// - the combined limit, the physical one: the create buckets of every provider the requests
//   allow, fed in parallel (water-filling, actors/placement_plan.hpp), plus the arrivals;
// - the whole-request bound, the old figure: each request whole on one provider, round-robin.
//
//   auto plan = plan_requests(opts);          // sizes sum to opts.count
//   double limit = combined_limit_seconds(plan, std::vector<rate_limits>(5, limits));
//
// Pure functions of their arguments.

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

/// The whole-request bound of a plan: requests go whole and round-robin over `providers`,
/// each provider needs create_bound_seconds() for its share, and nothing can be created before
/// its request arrived.
double plan_bound_seconds(const std::vector<planned_request>& plan, const rate_limits& limits,
                          int providers);

/// The combined limit of a plan: seconds from the start until the create buckets of
/// `providers` (one rate_limits each, every request allowed on all of them, full at the start)
/// could have admitted the last instance, no instance before its request arrived. For each
/// arrival time a, a plus the water level of what arrives from a on (and its calls: at least
/// one per request, at most 1000 instances each); at least the last arrival.
double combined_limit_seconds(const std::vector<planned_request>& plan,
                              const std::vector<rate_limits>& providers);

/// The ideal created-curve of that limit: instances the buckets could have admitted by `t`.
double combined_created_by(const std::vector<planned_request>& plan,
                           const std::vector<rate_limits>& providers, double t);

} // namespace styx
