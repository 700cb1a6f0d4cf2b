#pragma once
// The errors Styx's actors answer requests with: one CAF error category ("styx"). The code is
// the policy (what went wrong); the context carries the words for the user. The category's
// renderer (registered by add_message_types, messages/registry.cpp, on every node) prints just
// those words, so `actor_system::render` gives one plain line, never a CAF error dump.
//
//   return make_error(styx_error::exists_already, "request " + id + " exists already");

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace styx {

enum class styx_error : uint8_t {
  none = 0,
  invalid_request,    // a request that fails validation
  exists_already,     // a provider or request id registered already
  illegal_transition, // a change the transition table forbids in the current state
  cloud_refused,      // a list or catalog call the cloud answered with an error
};

const char* to_string(styx_error x);

/// An error of the styx category with `words` as its context.
caf::error make_error(styx_error code, std::string words);

/// The code of a styx error; none for an error of another category (or no error).
styx_error styx_code(const caf::error& e);

} // namespace styx

CAF_ERROR_CODE_ENUM(styx::styx_error, "styx")
