#pragma once
// The error taxonomy. Every provider maps its cloud's own codes onto these kinds; policy
// (retry, failover, give up) is decided on the kind alone, never on a cloud's code.

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace styx {

enum class error_kind : uint8_t {
  none,
  throttled,       // rate limit hit: retry after backoff
  capacity,        // insufficient capacity, zone exhausted: place elsewhere
  quota,           // account limit: place elsewhere
  auth,            // credentials refused
  invalid_request, // the request itself is wrong
  not_found,       // the instance (or image, ...) does not exist
  transient,       // 5xx, connection reset: retry after backoff
  timeout,         // no answer within the request's timeout: retry after backoff, at a higher
                   // retry-budget cost (the call may have happened)
  fatal,           // anything else: give up
};

const char* to_string(error_kind x);

/// Only throttled, transient and timed-out calls are worth the same call again.
inline bool is_retryable(error_kind x) {
  return x == error_kind::throttled || x == error_kind::transient || x == error_kind::timeout;
}

/// Capacity and quota errors send the supervisor to the next placement candidate.
inline bool is_placement_error(error_kind x) {
  return x == error_kind::capacity || x == error_kind::quota;
}

struct cloud_error {
  error_kind kind = error_kind::none;
  std::string code;        // the cloud's own code, e.g. "InsufficientInstanceCapacity"
  std::string message;
  int64_t retry_after_ms = 0; // the server's Retry-After, 0 if none

  explicit operator bool() const { return kind != error_kind::none; }
  /// "capacity (InsufficientInstanceCapacity): no capacity in us-east-1a"
  std::string to_string() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_error& x) {
  return f(caf::meta::type_name("cloud_error"), x.kind, x.code, x.message, x.retry_after_ms);
}

inline cloud_error make_cloud_error(error_kind kind, std::string code, std::string message) {
  return cloud_error{kind, std::move(code), std::move(message), 0};
}

} // namespace styx
