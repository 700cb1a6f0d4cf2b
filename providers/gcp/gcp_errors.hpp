#pragma once
// Compute Engine's answers onto the engine's error taxonomy. A synchronous error is an HTTP
// status with Google's body {"error": {"code", "message", "errors": [{"reason"}], "status"}};
// an operation's error is error.errors[].code with httpErrorStatusCode. The reason or code
// decides, then the HTTP status:
//   throttled       rateLimitExceeded, userRateLimitExceeded, RATE_LIMIT_EXCEEDED,
//                   CONCURRENT_OPERATIONS_QUOTA_EXCEEDED; any 429
//   capacity        ZONE_RESOURCE_POOL_EXHAUSTED(_WITH_DETAILS), insufficientCapacity,
//                   resourcePoolExhausted, STOCKOUT (the zone is out of that machine type)
//   quota           QUOTA_EXCEEDED, quotaExceeded (a regional resource quota: CPUs, addresses)
//   auth            any 401 (authError, UNAUTHENTICATED); a 403 that is not a rate or resource
//                   quota (forbidden, insufficientPermissions, accessNotConfigured, ...)
//   invalid_request any other 400 (invalid, badRequest, required); 409 and 412 (conflicts)
//   not_found       404 (notFound), RESOURCE_NOT_FOUND
//   transient       5xx (backendError, internalError); 400 resourceNotReady (the instance is
//                   busy with another operation); a body that is not Google's error document
//                   with a 5xx; no HTTP answer (status 0)
//   timeout         no answer within the request's timeout
//   fatal           anything else
// A Retry-After header (seconds) sets retry_after_ms.
//
// An operation that ended in an error is final: its work did not happen, and asking again (or
// repeating the call with its requestId) returns the same operation. So an operation error
// that would be worth the same request again is not reported as retryable: a create's is a
// capacity error (the supervisor places the instances elsewhere), a change's is fatal.

#include <string_view>

#include "messages/cloud_error.hpp"
#include "providers/gcp/gcp_json.hpp"
#include "providers/http.hpp"

namespace styx {

/// How gcloud is told to trust a CA (no_answer_error's hint).
inline constexpr std::string_view gcp_ca_hint
  = "trust its CA with CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE";

/// The kind of a Google error reason or Compute operation error code, as if it came with
/// `http_status`.
error_kind gcp_error_kind(std::string_view reason, int http_status);

/// The error of one HTTP answer; kind none for a 2xx.
cloud_error gcp_error_from(const http_response& response);

/// The error of an operation that is DONE with an error; kind none when it has none.
/// `create`: the operation of an insert or bulkInsert (see above).
cloud_error gcp_operation_error(const gcp_operation& op, bool create);

} // namespace styx
