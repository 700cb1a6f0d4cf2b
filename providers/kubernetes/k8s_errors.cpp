#include "providers/kubernetes/k8s_errors.hpp"

#include <cstdlib>

namespace styx {

cloud_error k8s_error_of(const k8s_status& status, int http_status) {
  auto kind = error_kind::fatal;
  auto code = status.reason.empty() ? "HTTP " + std::to_string(http_status) : status.reason;
  switch (http_status) {
    case 429: kind = error_kind::throttled; break;
    case 401: kind = error_kind::auth; break;
    case 403:
      kind = status.message.find("exceeded quota") != std::string::npos ? error_kind::quota
                                                                          : error_kind::auth;
      break;
    case 404: kind = error_kind::not_found; break;
    case 400:
    case 409:
    case 422: kind = error_kind::invalid_request; break;
    case 410: kind = error_kind::fatal; code = "Expired"; break;
    default:
      if (http_status >= 500)
        kind = error_kind::transient;
      break;
  }
  auto message = status.message.empty() ? code : status.message;
  return make_cloud_error(kind, std::move(code), std::move(message));
}

cloud_error k8s_error_from(const http_response& r) {
  if (r.status >= 200 && r.status < 300)
    return {};
  if (r.status == 0)
    return no_answer_error(r, "trust its CA with certificate-authority in the kubeconfig");
  auto status = k8s_parse_status(r.body).value_or(k8s_status{r.status, {}, {}});
  auto err = k8s_error_of(status, r.status);
  auto after = r.header("Retry-After");
  if (!after.empty())
    err.retry_after_ms = std::atoll(after.c_str()) * 1000;
  return err;
}

} // namespace styx
