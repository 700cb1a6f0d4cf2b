#include "messages/instance_state.hpp"

#include <array>

namespace styx {

namespace {

constexpr const char* names[instance_state_count] = {
  "requested", "pending", "running", "stopping", "stopped",
  "starting", "terminating", "terminated", "failed",
};

using row = std::array<bool, instance_state_count>;

// transitions[from][to]. Columns in enum order:
//                 req    pend   run    stopg  stopd  start  termg  termd  fail
constexpr std::array<row, instance_state_count> transitions = {{
  /* requested */ {false, true,  false, false, false, false, false, false, true},
  /* pending   */ {false, false, true,  false, false, false, true,  true,  true},
  /* running   */ {false, false, false, true,  true,  false, true,  true,  false},
  /* stopping  */ {false, false, false, false, true,  false, true,  true,  false},
  /* stopped   */ {false, false, false, false, false, true,  true,  true,  false},
  /* starting  */ {false, true,  true,  false, false, false, true,  true,  false},
  /* terminating*/{false, false, false, false, false, false, false, true,  false},
  /* terminated */{false, false, false, false, false, false, false, false, false},
  /* failed    */ {false, false, false, false, false, false, false, false, false},
}};

} // namespace

const char* to_string(instance_state x) {
  return names[static_cast<int>(x)];
}

std::optional<instance_state> parse_instance_state(std::string_view text) {
  for (int i = 0; i < instance_state_count; ++i)
    if (text == names[i])
      return static_cast<instance_state>(i);
  return std::nullopt;
}

bool is_legal_transition(instance_state from, instance_state to) {
  return transitions[static_cast<int>(from)][static_cast<int>(to)];
}

} // namespace styx
