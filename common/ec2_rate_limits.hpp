#pragma once
// EC2's published API rate limits (per account and region), defined once: the provider actor
// paces itself with them (actors/provider_config.hpp, rate_limits) and the simulated cloud
// enforces them (providers/sim/sim_config.hpp, sim_buckets). Request buckets take one token
// per call, resource buckets one token per instance; a call needs a token from both of its
// buckets (describe has no resource bucket).

#include "common/token_bucket.hpp"

namespace styx {

struct ec2_rate_limits {
  // Requests.
  bucket_config create{5, 2};        // RunInstances
  bucket_config start{5, 2};         // StartInstances
  bucket_config mutate{50, 5};       // StopInstances and other mutating calls
  bucket_config describe{100, 20};   // Describe*, list and catalog (non-mutating)
  bucket_config terminate{100, 5};   // TerminateInstances
  // Instances.
  bucket_config create_instances{1000, 2};
  bucket_config start_instances{1000, 2};
  bucket_config stop_instances{1000, 20};
  bucket_config terminate_instances{1000, 20};

  /// Calls f(name, bucket) for every bucket, in declaration order.
  template <class F>
  void for_each(F&& f) { each(*this, f); }
  template <class F>
  void for_each(F&& f) const { each(*this, f); }

  /// No limits at all: for benchmarks of the engine itself.
  static ec2_rate_limits unlimited() {
    ec2_rate_limits r;
    r.for_each([](const char*, bucket_config& b) { b = bucket_config{}; });
    return r;
  }

  /// Every refill rate multiplied by k (capacities unchanged): a faster account.
  void scale_refill(double k) {
    for_each([k](const char*, bucket_config& b) { b.refill_per_sec *= k; });
  }

private:
  template <class Self, class F>
  static void each(Self& s, F& f) {
    f("create", s.create);
    f("start", s.start);
    f("mutate", s.mutate);
    f("describe", s.describe);
    f("terminate", s.terminate);
    f("create_instances", s.create_instances);
    f("start_instances", s.start_instances);
    f("stop_instances", s.stop_instances);
    f("terminate_instances", s.terminate_instances);
  }
};

} // namespace styx
