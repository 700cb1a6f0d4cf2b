#pragma once
// How a provider actor paces one cloud region: token buckets per API class, the in-flight
// window, coalescing windows, polling and retries. Defaults follow EC2's published limits.

#include <cstdint>
#include <memory>

#include "common/backoff.hpp"
#include "common/batch_window.hpp"
#include "common/retry_budget.hpp"
#include "common/token_bucket.hpp"

namespace styx {
class journal;
} // namespace styx

namespace styx {

/// Request buckets (one token per call) and resource buckets (one token per instance).
struct rate_limits {
  bucket_config create{5, 2};        // RunInstances calls
  bucket_config start{5, 2};         // StartInstances calls
  bucket_config mutate{50, 5};       // StopInstances and other mutating calls
  bucket_config describe{100, 20};   // Describe*, list, catalog
  bucket_config terminate{100, 5};   // TerminateInstances calls
  bucket_config create_instances{1000, 2};
  bucket_config start_instances{1000, 2};
  bucket_config stop_instances{1000, 20};
  bucket_config terminate_instances{1000, 20};

  /// No limits at all: for benchmarks of the engine itself.
  static rate_limits unlimited();

  /// Every refill rate multiplied by k (capacities unchanged): a faster account.
  void scale_refill(double k);
};

struct provider_config {
  rate_limits limits;
  size_t max_in_flight = 16;                 // calls on the wire at once
  window_policy create_window{milliseconds(35), seconds(1), 1000};
  window_policy change_window{milliseconds(100), seconds(1), 500};
  duration poll_interval = seconds(2);       // describe instances in transitional states
  duration first_poll = milliseconds(250);   // after an instance starts moving; doubles per
                                             // poll up to poll_interval
  duration sweep_interval = seconds(30);     // describe every watched instance (preemptions)
  backoff_policy retry{milliseconds(200), seconds(20), 6};
  int throttle_attempts = 20;                // attempts of a throttled call, the first included
  retry_budget_config budget;
  uint64_t seed = 0;                         // 0: from the OS
  std::shared_ptr<styx::journal> journal;    // durable intents of creates; none: not durable
};

} // namespace styx
