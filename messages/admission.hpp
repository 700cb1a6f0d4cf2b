#pragma once
// Provider -> supervisor: how fast the provider's create buckets can take new instances, for
// rate-aware placement (actors/placement_plan.hpp). Serialisable: a provider may be remote.
// A plain value; it describes one moment and is stale as soon as it is sent.

#include <cstdint>

#include <caf/meta/type_name.hpp>

#include "messages/ids.hpp"

namespace styx {

struct admission_state {
  provider_id provider;
  // The create-instance bucket (one token per instance): both zero means unlimited.
  double tokens = 0;
  double capacity = 0;
  double refill_per_sec = 0;
  // The create-request bucket (one token per call).
  double call_tokens = 0;
  double call_refill_per_sec = 0;
  int64_t queued = 0;      // create instances waiting here: coalescing, buckets, retries
  int64_t in_flight = 0;   // create instances on the wire
  uint64_t received = 0;   // create requests received since the provider started
  uint64_t throttled = 0;  // create calls the cloud throttled since the provider started
  int64_t max_batch = 0;   // instances one create call may carry

  bool unlimited() const { return capacity <= 0 && refill_per_sec <= 0; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admission_state& x) {
  return f(caf::meta::type_name("admission_state"), x.provider, x.tokens, x.capacity,
           x.refill_per_sec, x.call_tokens, x.call_refill_per_sec, x.queued, x.in_flight,
           x.received, x.throttled, x.max_batch);
}

} // namespace styx
