#include "providers/azure/azure_errors.hpp"

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "providers/azure/azure_names.hpp"

namespace styx {

namespace {

/// The codes that decide on their own, whatever the HTTP status.
const std::unordered_map<std::string_view, error_kind>& by_code() {
  static const std::unordered_map<std::string_view, error_kind> codes{
    {"SubscriptionRequestsThrottled", error_kind::throttled},
    {"TenantRequestsThrottled", error_kind::throttled},
    {"TooManyRequests", error_kind::throttled},
    {"AllocationFailed", error_kind::capacity},
    {"ZonalAllocationFailed", error_kind::capacity},
    {"SkuNotAvailable", error_kind::capacity},
    {"OverconstrainedAllocationRequest", error_kind::capacity},
    {"OverconstrainedZonalAllocationRequest", error_kind::capacity},
    {"QuotaExceeded", error_kind::quota},
    {"AuthorizationFailed", error_kind::auth},
    {"InvalidAuthenticationToken", error_kind::auth},
    {"InvalidAuthenticationTokenTenant", error_kind::auth},
    {"ExpiredAuthenticationToken", error_kind::auth},
    {"AuthenticationFailed", error_kind::auth},
    {"ResourceNotFound", error_kind::not_found},
    {"ResourceGroupNotFound", error_kind::not_found},
    {"NotFound", error_kind::not_found},
    {"InvalidParameter", error_kind::invalid_request},
  };
  return codes;
}

} // namespace

error_kind azure_error_kind(std::string_view code, std::string_view message, int status) {
  if (status == 429)
    return error_kind::throttled;
  if (code == "OperationNotAllowed" && (message.find("quota") != std::string_view::npos
                                        || message.find("Quota") != std::string_view::npos))
    return error_kind::quota; // Azure's words: "... exceeding approved ... Cores quota"
  if (auto i = by_code().find(code); i != by_code().end())
    return i->second;
  if (status == 401 || status == 403)
    return error_kind::auth;
  if (status == 404)
    return error_kind::not_found;
  if (status == 400 || status == 409)
    return error_kind::invalid_request;
  if (status >= 500 || (status == 0 && (code == "InternalExecutionError"
                                        || code == "InternalServerError")))
    return error_kind::transient;
  return error_kind::fatal;
}

cloud_error azure_error_from(const http_response& resp) {
  if (resp.status >= 200 && resp.status < 300)
    return {};
  if (resp.status == 0)
    return no_answer_error(resp, azure_ca_hint);
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
