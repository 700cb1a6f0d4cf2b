#pragma once
// Resource Manager's answers onto the engine's error taxonomy. An error is an HTTP status with
// ARM's body {"error": {"code", "message", "details": [...]}} (a generic code such as
// Conflict is replaced by its first detail's), or the error of a Failed asynchronous
// operation. The code decides, then the HTTP status:
//   throttled       any 429 (SubscriptionRequestsThrottled, TooManyRequests): Retry-After
//                   (seconds) is honoured
//   capacity        AllocationFailed, ZonalAllocationFailed, SkuNotAvailable,
//                   OverconstrainedAllocationRequest, OverconstrainedZonalAllocationRequest
//   quota           OperationNotAllowed whose message speaks of a quota (Azure's words:
//                   "... exceeding approved ... Cores quota"), QuotaExceeded
//   auth            AuthorizationFailed, InvalidAuthenticationToken, ExpiredAuthenticationToken,
//                   AuthenticationFailed, any 401 or 403
//   invalid_request InvalidParameter and any other 400 or 409 (OperationNotAllowed that is not a
//                   quota, a conflicting operation)
//   not_found       ResourceNotFound, NotFound, ResourceGroupNotFound, any 404
//   transient       any 5xx; no HTTP answer (status 0)
//   timeout         no answer within the request's timeout
//   fatal           anything else
// A Retry-After header (seconds) sets retry_after_ms on every error.
//
// A Failed operation is final: the work did not happen. A create's capacity or quota error
// sends the supervisor elsewhere; any other failed operation that would be worth the same call
// again (a 5xx inside the operation) is reported as fatal for a change and as capacity for a
// create (the zone could not make it: place it elsewhere).

#include <string_view>

#include "messages/cloud_error.hpp"
#include "providers/azure/azure_json.hpp"
#include "providers/http.hpp"

namespace styx {

/// How an Azure client is told to trust a CA (no_answer_error's hint).
inline constexpr std::string_view azure_ca_hint
  = "trust its CA with REQUESTS_CA_BUNDLE or STYX_AZURE_CA_BUNDLE";

/// The kind of an ARM error `code` with `message`, answered with `http_status` (0: inside an
/// operation).
error_kind azure_error_kind(std::string_view code, std::string_view message, int http_status);

/// The error of one HTTP answer; kind none for a 2xx.
cloud_error azure_error_from(const http_response& response);

/// The error of a Failed operation; kind none for one that did not fail.
cloud_error azure_operation_error(const azure_operation& op, bool create);

/// A 2xx answer of `what` whose body is not its response: transient "InvalidResponse".
cloud_error azure_unreadable(const std::string& what);

} // namespace styx
