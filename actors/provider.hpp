#pragma once
// The provider actor: one per (cloud, region). It serialises that provider's API traffic:
//
// - creates with equal launch specs arriving within an idle window go out as one call, and so
//   do stops, starts and terminates (batch_window);
// - every call takes a token from its class's request bucket and, for calls that carry
//   instances, one per instance from a resource bucket; a call that would overdraw waits, or a
//   batch is split to what the bucket allows;
// - at most max_in_flight calls are on the wire at once;
// - throttled and transient errors are retried with full-jitter backoff, honouring Retry-After,
//   while the retry budget lasts; every other error goes straight back to the caller;
// - instances in transitional states are polled with one describe call per interval (up to the
//   cloud's batch limit per call), every watched instance once per sweep interval, and their
//   owners get an instance_update when the cloud's state changed.
//
// Time is the actor clock's (driven by tests through CAF's test coordinator), randomness the
// seeded generator of the config.

#include <caf/fwd.hpp>

#include "actors/protocol.hpp"
#include "actors/provider_config.hpp"
#include "providers/cloud_api.hpp"

namespace styx {

provider_actor spawn_provider(caf::actor_system& sys, cloud_api_ptr cloud, provider_config cfg);

} // namespace styx
