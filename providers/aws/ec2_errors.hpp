#pragma once
// EC2 answers onto the engine's error taxonomy. EC2 reports errors as
//   <Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors>...</Response>
// (any namespace); the code decides the kind:
//   throttled       RequestLimitExceeded, Throttling, ThrottlingException, EC2ThrottledException,
//                   RequestThrottled; also an HTTP 429 without a code
//   capacity        InsufficientInstanceCapacity, InsufficientCapacity, Unsupported,
//                   InsufficientFreeAddressesInSubnet, SpotMaxPriceTooLow, UnfulfillableCapacity
//   quota           InstanceLimitExceeded, VcpuLimitExceeded, MaxSpotInstanceCountExceeded,
//                   MaxFleetCountExceeded
//   auth            AuthFailure, UnauthorizedOperation, InvalidClientTokenId,
//                   SignatureDoesNotMatch
//   invalid_request InvalidParameterValue, InvalidParameterCombination, MissingParameter,
//                   InvalidParameter, InvalidInstanceType, IdempotentParameterMismatch,
//                   IncorrectInstanceState, InvalidAMIID.* (prefix)
//   not_found       InvalidInstanceID.NotFound, InvalidInstanceID.Malformed (InvalidInstanceID.*)
//   transient       InternalError, InternalFailure, ServiceUnavailable, Unavailable; any other
//                   code with HTTP 5xx; any 5xx; a body that is not EC2 XML (an HTML page from a
//                   proxy, an empty body); no HTTP answer at all (status 0)
//   fatal           any other code
// A Retry-After header (seconds) sets retry_after_ms.

#include <string_view>

#include "messages/cloud_error.hpp"
#include "providers/http.hpp"

namespace styx {

/// The kind of an EC2 error code, as if it came with `http_status`.
error_kind ec2_error_kind(std::string_view code, int http_status);

/// The error of one EC2 answer; kind none for a 2xx with a parseable XML body that is not an
/// error document.
cloud_error ec2_error_from(const http_response& response);

} // namespace styx
