#pragma once
// The Kubernetes API's answers onto the engine's error taxonomy. An error is an HTTP status
// with a Status body {"kind": "Status", "code", "reason", "message"}; the status decides, the
// reason refines:
//   throttled       429 (TooManyRequests: the server's max-in-flight limit, or an API Priority
//                   and Fairness rejection; both send Retry-After)
//   quota           403 whose message says "exceeded quota" (a ResourceQuota refused the pod)
//   auth            401; any other 403 (Forbidden)
//   not_found       404
//   invalid_request 400, 409 (AlreadyExists, Conflict), 422 (Invalid)
//   fatal           410 (Expired, Gone: code "Expired": the resourceVersion is too old)
//   transient       5xx (503 ServiceUnavailable may come with Retry-After); no HTTP answer
//   timeout         no answer within the request's timeout
// A Retry-After header (seconds) sets retry_after_ms. The code is the Status reason (else
// "HTTP <status>"), the message the Status message: never a header or a credential.

#include "messages/cloud_error.hpp"
#include "providers/http.hpp"
#include "providers/kubernetes/k8s_json.hpp"

namespace styx {

/// The error of a Status with `http_status`.
cloud_error k8s_error_of(const k8s_status& status, int http_status);

/// The error of one HTTP answer; kind none for a 2xx.
cloud_error k8s_error_from(const http_response& response);

} // namespace styx
