#pragma once
// The lifecycle of an instance and its legal transitions, as one table (instance_state.cpp).
//
//   requested -> pending -> running <-> stopping/stopped/starting
//   any live state -> terminating -> terminated; requested/pending -> failed
//
// The cloud may also move an instance on its own (a spot preemption, a console action):
// those moves are in the table too, so an observed change is never a silent jump.

#include <cstdint>
#include <optional>
#include <string_view>

namespace styx {

enum class instance_state : uint8_t {
  requested,   // known to the engine, not yet created on the cloud
  pending,     // created, booting
  running,
  stopping,
  stopped,
  starting,
  terminating,
  terminated,  // final
  failed,      // final: never became an instance on the cloud, or lost it
};

constexpr int instance_state_count = 9;

const char* to_string(instance_state x);
std::optional<instance_state> parse_instance_state(std::string_view text);

/// True when `from -> to` is in the transition table.
bool is_legal_transition(instance_state from, instance_state to);

/// terminated or failed: the instance will never change again.
inline bool is_final(instance_state x) {
  return x == instance_state::terminated || x == instance_state::failed;
}

/// States in which the instance exists on the cloud and may cost money.
inline bool is_live(instance_state x) {
  return x != instance_state::requested && !is_final(x);
}

/// States the cloud moves through on its own; the provider polls instances in them.
inline bool is_transitional(instance_state x) {
  switch (x) {
    case instance_state::pending:
    case instance_state::stopping:
    case instance_state::starting:
    case instance_state::terminating:
      return true;
    default:
      return false;
  }
}

} // namespace styx
