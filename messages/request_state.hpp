#pragma once
// The state of a provision request as the store keeps it (runtime/store.hpp). Its text is
// printed and parsed here only; the store's requests.state column holds exactly these names.
//
//   submitted -> done | failed | rolled_back     (the request's end, recorded by the engine)
//   submitted -> interrupted                     (a reconcile found its process gone)
//   interrupted -> resumed                       (styx up --resume: a new request does the rest)
//   any -> cancelled                             (styx down --request: final, never resumed)

#include <cstdint>
#include <optional>
#include <string_view>

namespace styx {

enum class request_state : uint8_t {
  submitted,
  done,
  failed,
  rolled_back, // fewer than min_count ran; what ran was terminated
  cancelled,
  interrupted,
  resumed,
};

constexpr int request_state_count = 7;

const char* to_string(request_state x);
std::optional<request_state> parse_request_state(std::string_view text);

/// cancelled or rolled back: its live instances are orphans, never adopted.
inline bool is_dead(request_state x) {
  return x == request_state::cancelled || x == request_state::rolled_back;
}

} // namespace styx
