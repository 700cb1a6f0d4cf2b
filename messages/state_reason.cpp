#include "messages/state_reason.hpp"

namespace styx {

namespace {

constexpr const char* names[state_reason_count] = {
  "",          "user-initiated", "preempted", "cloud-ended",   "vanished",      "provider-lost",
  "found",     "create-failed",  "cancelled", "given-up",      "never-created",
  "no-capacity", "surplus",        "orphan",
};

} // namespace

const char* to_string(state_reason x) {
  auto i = static_cast<int>(x);
  return i < state_reason_count ? names[i] : "unknown";
}

std::optional<state_reason> parse_state_reason(std::string_view text) {
  for (int i = 0; i < state_reason_count; ++i)
    if (text == names[i])
      return static_cast<state_reason>(i);
  return std::nullopt;
}

} // namespace styx
