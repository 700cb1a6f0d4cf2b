#pragma once
// Exponential backoff with full jitter: the delay before retry k is uniform in
// [0, min(cap, base * 2^(k-1))), and never shorter than a server's Retry-After.
// The random source is injected, so that tests are deterministic.

#include <random>

#include "common/time.hpp"

namespace styx {

struct backoff_policy {
  duration base = milliseconds(100);
  duration cap = seconds(20);
  int max_attempts = 5; // attempts in all, the first included
};

class backoff {
public:
  backoff(backoff_policy policy, std::mt19937_64& rng) : policy_(policy), rng_(&rng) {}

  /// True when a call that failed on attempt `attempt` (1-based) may be tried again.
  bool may_retry(int attempt) const { return attempt < policy_.max_attempts; }

  /// The delay before retry number `retry` (1 for the first retry).
  duration delay(int retry, duration retry_after = duration::zero());

  const backoff_policy& policy() const { return policy_; }

private:
  backoff_policy policy_;
  std::mt19937_64* rng_;
};

} // namespace styx
