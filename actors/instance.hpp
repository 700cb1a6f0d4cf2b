#pragma once
// The instance actor: one per instance, owner of its lifecycle state machine.
//
// It is born `requested` and waits to be placed by the supervisor. Placed, it asks its provider
// to create it; a capacity or quota error goes back to the supervisor, which places it again
// or gives it up. Created, it follows the cloud's state from the provider's polling. Stop,
// start and terminate are checked against the transition table (messages/instance_state.cpp):
// an illegal one is answered with styx_error::illegal_transition, never a silent jump. Every
// state change goes through advance() (messages/transition.hpp) with its state_reason, and to
// the supervisor as an instance_state_changed; in a final state the actor ends.
//
// It keeps only what its state machine needs (ids, state, cloud id, the shared placement it
// was sent with); the full record is the supervisor's. What it tells the supervisor is an
// instance_delta (messages/events.hpp): only what changed, and two steps in one message when
// a create or a change was answered with a further state at once.
//
// Thread rules: an actor, so its state is touched only by its own handlers. Lifetime: from
// the supervisor's spawn (or adoption) until a final state, or until the supervisor kills it
// (its provider was lost).
//
// A terminate that arrives while the create is on the wire is remembered and carried out as
// soon as the instance exists, so that nothing is leaked. An instance pending too long is given
// up by the supervisor (supervisor_config::pending_timeout): terminated, with that reason.

#include <caf/fwd.hpp>

#include "actors/protocol.hpp"
#include "common/time.hpp"

namespace styx {

struct instance_config {
  const clock* wall = nullptr; // for the records' wall time; system time when null
};

/// Everything an instance actor starts with. Only id, request, name, state, reason, since,
/// cloud_id and last_error of the record are kept (and provider, zone, type and market of an
/// adopted one).
struct instance_init {
  instance_record record;            // id, request, name; state requested for a new instance
  supervisor_actor supervisor;       // receives every transition
  instance_config cfg;
  // Adoption: an instance found on the cloud starts in its observed state on this provider.
  provider_actor provider;
  // A new instance placed at once: it creates itself there as it starts (no place message).
  placement_ref placed;
};

instance_actor spawn_instance(caf::actor_system& sys, instance_init init);

} // namespace styx
