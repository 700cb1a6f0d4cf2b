#pragma once
// The one way an instance's state changes: a pure function from a record and an observation
// to the next record, or a refusal. The instance actor, the supervisor, reconcile and the
// store all go through it, so no writer can move an instance around the table.
//
// Legal moves are the transition table (instance_state.cpp) plus one edge that holds only for
// a reason: `found`, a sighting after a gap, resynchronises the record to what the cloud
// reports, from any state that is not final, and from a final state the engine only inferred
// (vanished; provider_lost, which fails only what was in flight, requested or pending, as the
// table allows); never back to requested.
// An observation of the state the record is in changes nothing but may annotate last_error.

#include <string>

#include "common/time.hpp"
#include "messages/instance_record.hpp"
#include "messages/state_reason.hpp"

namespace styx {

/// What a writer saw or decided about one instance.
struct observation {
  instance_state state = instance_state::requested;
  state_reason reason = state_reason::none;
  unix_ms at = 0;     // wall time of the change: the record's `since`
  std::string detail; // the record's last_error after a change (words for the reason)
};

struct transition_result {
  instance_record record; // the next record; the input unchanged when refused
  instance_state from = instance_state::requested;
  bool changed = false;   // the state moved
  bool refused = false;   // the table forbids the move
};

/// True when a record in `from` (which got there for `from_reason`) may move to `to` for
/// `to_reason`. Equal states always may (nothing moves).
bool may_follow(instance_state from, state_reason from_reason, instance_state to,
                state_reason to_reason);

/// The record after `ob`. On a change: state, since, reason and last_error (= detail) are set.
/// Same state: the record stays, except that a non-empty detail replaces last_error.
transition_result advance(instance_record rec, const observation& ob);

} // namespace styx
