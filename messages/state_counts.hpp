#pragma once
// How many instances the engine's books hold in each state.

#include <cstdint>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/instance_state.hpp"

namespace styx {

/// The supervisor's books by state (its answer to count_atom, and the styx_instances gauge):
/// every instance it created or adopted is counted once, in the state its record holds; the
/// final ones stay counted, so terminated and failed count every end since the engine began.
struct state_counts {
  std::vector<int64_t> by_state = std::vector<int64_t>(static_cast<size_t>(instance_state_count));

  /// The count of `s`; 0 for a state the vector does not reach (a malformed message).
  int64_t of(instance_state s) const {
    auto k = static_cast<size_t>(s);
    return k < by_state.size() ? by_state[k] : 0;
  }
  /// An instance entered the books in state `s`.
  void enter(instance_state s) { ++by_state[static_cast<size_t>(s)]; }
  /// An instance in the books moved from `from` to `to`.
  void move(instance_state from, instance_state to) {
    --by_state[static_cast<size_t>(from)];
    ++by_state[static_cast<size_t>(to)];
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, state_counts& x) {
  return f(caf::meta::type_name("state_counts"), x.by_state);
}

} // namespace styx
