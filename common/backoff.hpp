#pragma once
// Exponential backoff, the one every retry loop uses. The ceiling before retry k is
// min(cap, base * 2^(k-1)); the delay is drawn under it by the policy's jitter:
//   full  (the default): uniform in [0, ceiling)
//   equal:               ceiling/2 plus uniform in [0, ceiling/2)
//   none:                the ceiling itself (deterministic: 100 ms, 200 ms, ... up to cap)
// and is never shorter than a server's Retry-After. The random source is injected, so that
// tests are deterministic.

#include <random>

#include "common/time.hpp"

namespace styx {

enum class jitter_mode { full, equal, none };

struct backoff_policy {
  duration base = milliseconds(100);
  duration cap = seconds(20);
  int max_attempts = 5; // attempts in all, the first included
  jitter_mode jitter = jitter_mode::full;
};

class backoff {
public:
  backoff(backoff_policy policy, std::mt19937_64& rng) : policy_(policy), rng_(&rng) {}

  /// True when a call that failed on attempt `attempt` (1-based) may be tried again.
  bool may_retry(int attempt) const { return attempt < policy_.max_attempts; }

  /// The delay before retry number `retry` (1 for the first retry).
  duration delay(int retry, duration retry_after = duration::zero());

  /// min(cap, base * 2^(retry-1)): the longest delay before retry number `retry`.
  duration ceiling(int retry) const;

  const backoff_policy& policy() const { return policy_; }

private:
  duration uniform_below(duration bound); // [0, bound); zero when bound <= 0

  backoff_policy policy_;
  std::mt19937_64* rng_;
};

} // namespace styx
