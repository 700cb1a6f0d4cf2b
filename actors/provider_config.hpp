#pragma once
// How a provider actor paces one cloud region: token buckets per API class, the in-flight
// window, coalescing windows, polling and retries. Defaults follow EC2's published limits.

#include <cstdint>
#include <memory>

#include "common/backoff.hpp"
#include "common/batch_window.hpp"
#include "common/ec2_rate_limits.hpp"
#include "common/retry_budget.hpp"

namespace styx {
class journal;
} // namespace styx

namespace styx {

/// Request buckets (one token per call) and resource buckets (one token per instance), per
/// call class: EC2's published limits, the same numbers the simulated cloud enforces.
using rate_limits = ec2_rate_limits;

struct provider_config {
  rate_limits limits;
  bool one_mutation_bucket = false;          // creates, starts, stops and terminates share the
                                             // create request bucket (GCP: one mutation quota)
  bool one_request_bucket = false;           // every call, reads included, draws from the
                                             // create request bucket (client-go's one QPS
                                             // limiter: Kubernetes)
  bool follow_pushes = true;                 // a cloud that pushes (cloud_api::pushes): list,
                                             // then follow its watch instead of polling
  size_t max_in_flight = 16;                 // calls on the wire at once
  window_policy create_window{milliseconds(35), seconds(1), 1000};
  window_policy change_window{milliseconds(100), seconds(1), 1000}; // EC2 takes 1000 ids
  duration poll_interval = seconds(2);       // describe instances in transitional states
  duration first_poll = milliseconds(100);   // after an instance starts moving; doubles per
                                             // poll up to poll_interval (a fast cloud has
                                             // often settled by then; on EC2 it costs about
                                             // one more describe per 100 moving instances).
                                             // A call whose work is still under way on the
                                             // cloud (an operation) is asked again after the
                                             // same delays: first_poll, doubling per ask.
  duration sweep_interval = seconds(30);     // describe every watched instance (preemptions)
  backoff_policy retry{milliseconds(200), seconds(20), 6};
  int throttle_attempts = 20;                // attempts of a throttled call, the first included
  retry_budget_config budget;
  uint64_t seed = 0;                         // 0: from the OS
  std::shared_ptr<styx::journal> journal;    // durable intents of creates; none: not durable
  bool fetch_catalog = true;                 // false: catalog_atom is refused without a call
                                             // (an engine that places nothing: styx down)
};

} // namespace styx
