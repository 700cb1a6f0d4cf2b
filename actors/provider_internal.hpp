#pragma once
// Internal to the provider actor (actors/provider.cpp): the messages it sends itself, the
// interface it is spawned with, and its state. Not a public header.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/call_queue.hpp"
#include "actors/poller.hpp"
#include "actors/protocol.hpp"
#include "actors/provider_config.hpp"
#include "common/backoff.hpp"
#include "common/retry_budget.hpp"
#include "providers/cloud_api.hpp"

namespace styx::provider_detail {

// -- the provider's messages to itself ------------------------------------------------------
// Continuations of the provider's own work: a cloud call answered, a create intent recorded,
// a pump or poll timer due. They are local-only on purpose: not in the public provider_actor,
// not registered with the actor system (messages/registry.cpp, actors/registry.cpp) and not
// serialisable, so no holder of the public handle (a remote engine included) can send them.
// Only the provider itself sends them: its cloud and journal callbacks and its timers.

struct call_done {
  uint64_t seq;
  api_reply reply;
};

struct intent_recorded {
  uint64_t seq;
  std::string error; // empty: recorded
};

struct pump_due {};
struct poll_due {};

} // namespace styx::provider_detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::call_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::intent_recorded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::pump_due)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::provider_detail::poll_due)

namespace styx::provider_detail {

/// The interface the provider is spawned with; spawn_provider hands out only provider_actor.
using provider_impl = provider_actor::extend<caf::reacts_to<call_done>,
                                             caf::reacts_to<intent_recorded>,
                                             caf::reacts_to<pump_due>, caf::reacts_to<poll_due>>;

/// Everything one provider actor holds. Thread rules: the actor's (one message at a time).
/// Lifetimes: CAF destroys it when the actor quits; its callbacks hold only a weak handle.
struct provider_state {
  static inline const char* name = "styx.provider";

  cloud_api_ptr cloud;
  provider_config cfg;
  std::mt19937_64 rng;
  backoff retry_delay{backoff_policy{}, rng};
  retry_budget budget;

  create_batcher creates;             // coalescing creates by spec
  change_batcher changes;             // by change_op
  call_queue queue;                   // built calls and retries, behind the buckets
  std::unordered_map<uint64_t, outgoing> in_flight;
  uint64_t next_seq = 1;
  uint64_t token_prefix = 0;
  std::optional<time_point> wakeup;   // earliest scheduled pump

  poller<instance_actor> polls;

  std::optional<catalog> cached_catalog;
  std::vector<caf::typed_response_promise<catalog>> catalog_waiters;

  provider_stats stats;
  uint64_t creates_received = 0; // create requests, for admission_state
  uint64_t create_throttles = 0; // create calls the cloud throttled
};

using provider_self = provider_impl::stateful_pointer<provider_state>;

/// Its create buckets now and the create instances waiting for them (provider_admission.cpp).
admission_state admission_of(provider_self self);

} // namespace styx::provider_detail
