#pragma once
// The knobs of the simulated cloud. The defaults behave like EC2 in us-east-1: API latency,
// server-side token buckets per region, boot and transition delays, finite zone capacity.
// sim_config::unlimited() turns all of that off, for benchmarks of the engine alone.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "common/token_bucket.hpp"

namespace styx {

/// EC2's published API rate limits (per account and region): request buckets count calls,
/// resource buckets count instances. Every call must get a token from both of its buckets.
struct sim_buckets {
  // Requests.
  bucket_config create_requests{5, 2};      // RunInstances
  bucket_config start_requests{5, 2};       // StartInstances
  bucket_config describe_requests{100, 20}; // describe, list and catalog (non-mutating)
  bucket_config terminate_requests{100, 5}; // TerminateInstances
  bucket_config stop_requests{50, 5};       // StopInstances (mutating, general)
  // Instances.
  bucket_config create_instances{1000, 2};
  bucket_config start_instances{1000, 2};
  bucket_config terminate_instances{1000, 20};
  bucket_config stop_instances{1000, 20};

  /// Every refill rate multiplied by k (capacities unchanged).
  void scale_refill(double k) {
    for (auto* b : {&create_requests, &start_requests, &describe_requests, &terminate_requests,
                    &stop_requests, &create_instances, &start_instances, &terminate_instances,
                    &stop_instances})
      b->refill_per_sec *= k;
  }
};

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

  /// Server-side throttling (RequestLimitExceeded) with these buckets.
  bool throttle = true;
  sim_buckets buckets;

  /// pending -> running after a uniform delay in [pending_min, pending_max].
  duration pending_min = seconds(2);
  duration pending_max = seconds(6);
  /// stopping -> stopped, starting -> running, shutting-down -> terminated.
  duration transition_min = seconds(1);
  duration transition_max = seconds(3);

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
