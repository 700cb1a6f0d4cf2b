#include "messages/transition.hpp"

namespace styx {

bool may_follow(instance_state from, state_reason from_reason, instance_state to,
                state_reason to_reason) {
  if (from == to || is_legal_transition(from, to))
    return true;
  // A sighting after a gap resynchronises, except from an end that was observed.
  return to_reason == state_reason::found && to != instance_state::requested
         && (!is_final(from) || is_inferred(from_reason));
}

transition_result advance(instance_record rec, const observation& ob) {
  transition_result out;
  out.from = rec.state;
  if (ob.state == rec.state) {
    if (!ob.detail.empty())
      rec.last_error = ob.detail;
    out.record = std::move(rec);
    return out;
  }
  if (!may_follow(rec.state, rec.reason, ob.state, ob.reason)) {
    out.refused = true;
    out.record = std::move(rec);
    return out;
  }
  rec.state = ob.state;
  rec.reason = ob.reason;
  rec.since = ob.at;
  rec.last_error = ob.detail;
  out.changed = true;
  out.record = std::move(rec);
  return out;
}

} // namespace styx
