#include "providers/azure/azure_errors.hpp"

#include <cstdlib>
#include <string>

#include "providers/azure/azure_names.hpp"

namespace styx {

namespace {

bool one_of(std::string_view x, std::initializer_list<std::string_view> xs) {
  for (auto y : xs)
    if (x == y)
      return true;
  return false;
}

bool speaks_of_quota(std::string_view message) {
  return message.find("quota") != std::string_view::npos
         || message.find("Quota") != std::string_view::npos;
}

} // namespace

error_kind azure_error_kind(std::string_view code, std::string_view message, int status) {
  if (status == 429 || one_of(code, {"SubscriptionRequestsThrottled", "TooManyRequests",
                                     "TenantRequestsThrottled"}))
    return error_kind::throttled;
  if (one_of(code, {"AllocationFailed", "ZonalAllocationFailed", "SkuNotAvailable",
                    "OverconstrainedAllocationRequest", "OverconstrainedZonalAllocationRequest"}))
    return error_kind::capacity;
  if (code == "QuotaExceeded" || (code == "OperationNotAllowed" && speaks_of_quota(message)))
    return error_kind::quota;
  if (one_of(code, {"AuthorizationFailed", "InvalidAuthenticationToken",
                    "ExpiredAuthenticationToken", "AuthenticationFailed",
                    "InvalidAuthenticationTokenTenant"}))
    return error_kind::auth;
  if (one_of(code, {"ResourceNotFound", "NotFound", "ResourceGroupNotFound"}))
    return error_kind::not_found;
  if (code == "InvalidParameter")
    return error_kind::invalid_request;
  if (status == 401 || status == 403)
    return error_kind::auth;
  if (status == 404)
    return error_kind::not_found;
  if (status == 400 || status == 409)
    return error_kind::invalid_request;
  if (status >= 500)
    return error_kind::transient;
  if (status == 0 && one_of(code, {"InternalExecutionError", "InternalServerError"}))
    return error_kind::transient;
  return error_kind::fatal;
}

cloud_error azure_error_from(const http_response& resp) {
  if (resp.status >= 200 && resp.status < 300)
    return {};
  if (resp.status == 0) {
    if (resp.timed_out)
      return make_cloud_error(error_kind::timeout, "RequestTimeout", resp.error);
    return make_cloud_error(error_kind::transient, "TransportError", resp.error);
  }
  cloud_error err;
  if (auto body = azure_parse_error(resp.body)) {
    err.code = body->code;
    if (!body->detail_code.empty() && (err.code.empty() || azure_generic_code(err.code)))
      err.code = body->detail_code;
    err.message = body->message;
  } else {
    err.message = "answered HTTP " + std::to_string(resp.status) + " without an error document";
  }
  if (err.code.empty())
    err.code = "HTTP" + std::to_string(resp.status);
  err.kind = azure_error_kind(err.code, err.message, resp.status);
  err.retry_after_ms = resp.retry_after_ms();
  return err;
}

cloud_error azure_operation_error(const azure_operation& op, bool create) {
  if (!op.failed())
    return {};
  auto kind = azure_error_kind(op.error_code, op.error_message, 0);
  if (is_retryable(kind) || kind == error_kind::fatal)
    kind = create ? error_kind::capacity : error_kind::fatal;
  return make_cloud_error(kind, op.error_code, op.error_message);
}

cloud_error azure_unreadable(const std::string& what) {
  return make_cloud_error(error_kind::transient, "InvalidResponse",
                          what + " answered a body that is not its response");
}

} // namespace styx
