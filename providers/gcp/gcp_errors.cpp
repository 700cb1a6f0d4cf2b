#include "providers/gcp/gcp_errors.hpp"

#include <cstdlib>
#include <string>

namespace styx {

namespace {

bool any_of(std::string_view x, std::initializer_list<std::string_view> xs) {
  for (auto y : xs)
    if (x == y)
      return true;
  return false;
}

error_kind by_status(int status) {
  if (status == 429)
    return error_kind::throttled;
  if (status == 401 || status == 403)
    return error_kind::auth;
  if (status == 404)
    return error_kind::not_found;
  if (status == 400 || status == 409 || status == 412)
    return error_kind::invalid_request;
  if (status >= 500)
    return error_kind::transient;
  return error_kind::fatal;
}

} // namespace

error_kind gcp_error_kind(std::string_view reason, int http_status) {
  if (any_of(reason, {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED",
                      "CONCURRENT_OPERATIONS_QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED"}))
    return error_kind::throttled;
  if (any_of(reason, {"ZONE_RESOURCE_POOL_EXHAUSTED", "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS",
                      "insufficientCapacity", "resourcePoolExhausted", "STOCKOUT"}))
    return error_kind::capacity;
  if (any_of(reason, {"QUOTA_EXCEEDED", "quotaExceeded"}))
    return error_kind::quota;
  if (any_of(reason, {"notFound", "RESOURCE_NOT_FOUND"}))
    return error_kind::not_found;
  if (any_of(reason, {"resourceNotReady", "backendError", "internalError", "INTERNAL_ERROR",
                      "SERVICE_UNAVAILABLE"}))
    return error_kind::transient;
  if (any_of(reason, {"authError", "UNAUTHENTICATED", "forbidden", "insufficientPermissions",
                      "accessNotConfigured", "PERMISSION_DENIED"}))
    return error_kind::auth;
  if (http_status == 0)
    return any_of(reason, {"INVALID_FIELD_VALUE", "RESOURCE_ALREADY_EXISTS", "INVALID_USAGE"})
             ? error_kind::invalid_request
             : error_kind::fatal;
  return by_status(http_status);
}

cloud_error gcp_error_from(const http_response& resp) {
  if (resp.status >= 200 && resp.status < 300)
    return {};
  if (resp.status == 0)
    return no_answer_error(resp, gcp_ca_hint);
  cloud_error err;
  auto body = gcp_parse_error(resp.body);
  if (body) {
    err.code = !body->reason.empty() ? body->reason : body->status;
    err.message = body->message;
    err.kind = gcp_error_kind(err.code, resp.status);
  } else {
    err.code = "HTTP" + std::to_string(resp.status);
    err.message = "answered HTTP " + std::to_string(resp.status) + " without an error document";
    err.kind = by_status(resp.status);
  }
  if (err.code.empty())
    err.code = "HTTP" + std::to_string(resp.status);
  err.retry_after_ms = resp.retry_after_ms();
  return err;
}

cloud_error gcp_operation_error(const gcp_operation& op, bool create) {
  if (!op.failed())
    return {};
  auto kind = gcp_error_kind(op.error_code, op.http_error_status);
  if (is_retryable(kind))
    kind = create ? error_kind::capacity : error_kind::fatal;
  std::string message = op.error_message;
  if (!op.zone.empty())
    message += (message.empty() ? "" : " ") + std::string{"(operation "} + op.name + " in "
               + op.zone + ")";
  return make_cloud_error(kind, op.error_code, std::move(message));
}

} // namespace styx
