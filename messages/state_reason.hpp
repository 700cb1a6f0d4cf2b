#pragma once
// Why an instance is in its state: the reason the last transition carries. Policy reads these
// (replace a preempted spot instance, count an unasked end as a failure), never strings.
// Each is printed in one place, to_string() below; last_error holds the details in words.

#include <cstdint>
#include <optional>
#include <string_view>

namespace styx {

enum class state_reason : uint8_t {
  none,           // a step the engine asked for, or the normal course (pending -> running)
  user_initiated, // the cloud says a user ended or stopped it (a console, another client)
  preempted,      // the spot market took it back
  cloud_ended,    // the cloud ended it and did not say why
  vanished,       // inferred: the provider that created it answered that it no longer exists
  provider_lost,  // inferred: its provider went out of reach while it was in flight
  found,          // seen on the cloud again after a gap (its provider returned, reconcile)
  create_failed,  // the create call failed; last_error says how
  cancelled,      // cancelled before its create call was made
  given_up,       // the engine gave up on it: a pending timeout, no capacity, a rollback
  never_created,  // reconcile: an interrupted create that never reached the cloud
  no_capacity,    // the cloud took it but found no capacity for it (a Kubernetes pod that is
                  // Unschedulable): ended and placed again elsewhere
  surplus,        // reconcile ended it: its request had more live than its count (a create
                  // retried across a crash)
  orphan,         // reconcile ended it: its request is over (cancelled, done) or unknown
};

constexpr int state_reason_count = 14;

const char* to_string(state_reason x);
std::optional<state_reason> parse_state_reason(std::string_view text);

/// Ends the engine chose for an instance its request did not need (reconcile's surplus and
/// orphans): not a loss of the request, neither a failure nor a cause for a replacement.
inline bool is_cleanup(state_reason x) {
  return x == state_reason::surplus || x == state_reason::orphan;
}

/// Reasons the engine inferred rather than observed: a later sighting on the cloud (`found`)
/// may overturn the state they ended in.
inline bool is_inferred(state_reason x) {
  return x == state_reason::vanished || x == state_reason::provider_lost;
}

} // namespace styx
