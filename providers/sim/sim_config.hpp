#pragma once
// The knobs of the simulated cloud. The defaults behave like EC2 in us-east-1: API latency,
// server-side token buckets per region, boot and transition delays, finite zone capacity.
// sim_config::unlimited() turns all of that off, for benchmarks of the engine alone.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/ec2_rate_limits.hpp"
#include "common/time.hpp"

namespace styx {

/// The server-side buckets per region (common/ec2_rate_limits.hpp): request buckets count
/// calls, resource buckets count instances. Every call must get a token from both of its
/// buckets. The client's defaults (rate_limits) are the same struct.
using sim_buckets = ec2_rate_limits;

struct sim_config {
  uint64_t seed = 1; // the only source of randomness
  std::vector<std::string> regions{"us-east-1", "us-west-2", "eu-west-1"};
  int zones_per_region = 3; // zones are region + "a", "b", "c", ...

  /// Live (non-terminated) instances a zone holds; negative: unlimited.
  int capacity_per_zone = 20000;
  std::map<std::string, int> zone_capacity; // per zone name, overrides capacity_per_zone

  /// API latency, lognormal with this median and 99th percentile. Both zero: instant.
  duration latency_median = milliseconds(40);
  duration latency_p99 = milliseconds(200);

  /// Fraction of calls answered with a transient InternalError that changes nothing.
  double transient_error_rate = 0.0;

  /// Fraction of mutations (create, stop, start, terminate) that take effect but whose answer
  /// is lost: a transient error as a reset connection gives after the cloud did the work. Only
  /// an idempotent retry (the client token) avoids a duplicate.
  double lost_answer_rate = 0.0;

  /// Server-side throttling (RequestLimitExceeded) with these buckets.
  bool throttle = true;
  sim_buckets buckets;

  /// pending -> running after a uniform delay in [pending_min, pending_max].
  duration pending_min = seconds(2);
  duration pending_max = seconds(6);
  /// stopping -> stopped, starting -> running, shutting-down -> terminated.
  duration transition_min = seconds(1);
  duration transition_max = seconds(3);

  /// Per region: every price of its catalog multiplied by this (1 where absent), so that
  /// regions can differ in price (cheapest-within placement, its tests and benchmarks).
  std::map<std::string, double> price_factor;

  /// Per running spot instance; the time to preemption is exponential.
  double spot_preemptions_per_hour = 0.0;

  /// Where the cloud's state lives between processes; empty: memory only.
  std::string state_file;

  /// Terminated instances stay visible to describe and list this long, like EC2.
  duration terminated_retention = std::chrono::hours(1);

  /// No latency, no throttling, no errors, no delays, unlimited capacity.
  static sim_config unlimited() {
    sim_config c;
    c.capacity_per_zone = -1;
    c.latency_median = c.latency_p99 = duration::zero();
    c.transient_error_rate = 0.0;
    c.throttle = false;
    c.pending_min = c.pending_max = duration::zero();
    c.transition_min = c.transition_max = duration::zero();
    return c;
  }
};

} // namespace styx
