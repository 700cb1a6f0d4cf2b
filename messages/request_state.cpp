#include "messages/request_state.hpp"

namespace styx {

namespace {

constexpr const char* names[request_state_count] = {
  "submitted", "done", "failed", "rolled_back", "cancelled", "interrupted", "resumed",
};

} // namespace

const char* to_string(request_state x) {
  auto i = static_cast<int>(x);
  return i < request_state_count ? names[i] : "unknown";
}

std::optional<request_state> parse_request_state(std::string_view text) {
  for (int i = 0; i < request_state_count; ++i)
    if (text == names[i])
      return static_cast<request_state>(i);
  return std::nullopt;
}

} // namespace styx
