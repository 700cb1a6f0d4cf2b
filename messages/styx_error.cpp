#include "messages/styx_error.hpp"

namespace styx {

const char* to_string(styx_error x) {
  switch (x) {
    case styx_error::none: return "none";
    case styx_error::invalid_request: return "invalid request";
    case styx_error::exists_already: return "exists already";
    case styx_error::illegal_transition: return "illegal transition";
    case styx_error::cloud_refused: return "cloud refused";
  }
  return "unknown styx error";
}

caf::error make_error(styx_error code, std::string words) {
  return caf::error{code, std::move(words)};
}

styx_error styx_code(const caf::error& e) {
  if (!e || e.category() != caf::detail::error_factory<styx_error>::category)
    return styx_error::none;
  return static_cast<styx_error>(e.code());
}

} // namespace styx
