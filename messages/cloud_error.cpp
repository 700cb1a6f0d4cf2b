#include "messages/cloud_error.hpp"

namespace styx {

const char* to_string(error_kind x) {
  switch (x) {
    case error_kind::none: return "none";
    case error_kind::throttled: return "throttled";
    case error_kind::capacity: return "capacity";
    case error_kind::quota: return "quota";
    case error_kind::auth: return "auth";
    case error_kind::invalid_request: return "invalid_request";
    case error_kind::not_found: return "not_found";
    case error_kind::transient: return "transient";
    case error_kind::timeout: return "timeout";
    case error_kind::fatal: return "fatal";
  }
  return "unknown";
}

std::string cloud_error::to_string() const {
  std::string result = styx::to_string(kind);
  if (!code.empty())
    result += " (" + code + ")";
  if (!message.empty())
    result += ": " + message;
  return result;
}

} // namespace styx
