#pragma once
// Where a GCP provider's bearer tokens come from.
//
//   fixed      one token given from outside (CLOUDSDK_AUTH_ACCESS_TOKEN, as gcloud takes it):
//              never refreshed.
//   exchanged  credentials (gcp_auth.hpp) exchanged at their token_uri for an access token,
//              cached and exchanged again once less than a fifth of its lifetime (at most
//              5 minutes) is left, or when Compute refused it.
//
// The token exchange is an HTTP request, and every HTTP request to a cloud goes through its
// provider actor: it is made only inside an API call that asked for a token (with_token),
// and that call counts it among its requests (api_reply::requests), so the provider charges it
// to the call's bucket. Calls that ask while an exchange is on the wire wait for it: one
// exchange for all of them, counted by the call that made it.
//
// Thread rules: thread-safe; `ready` runs exactly once, on the caller's thread when a token is
// cached, else on the transport's. Lifetimes: held by shared_ptr (the gcp_api and its calls
// in flight); the transport and clock must outlive it. Tokens and keys are never logged and
// never part of an error message.

#include <functional>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"
#include "providers/gcp/gcp_auth.hpp"
#include "providers/http.hpp"

namespace styx {

class gcp_token_source {
public:
  /// `exchanged`: this call made the HTTP request of a token exchange (it counts it).
  using ready_fn = std::function<void(const std::string& token, const cloud_error& err,
                                      bool exchanged)>;

  virtual ~gcp_token_source() = default;

  /// Calls `ready` with a valid token, or with why there is none.
  virtual void with_token(ready_fn ready) = 0;

  /// Compute refused `token` (HTTP 401): the next with_token() exchanges again.
  virtual void refused(const std::string& token) = 0;

  /// Where tokens come from, without a secret: "CLOUDSDK_AUTH_ACCESS_TOKEN",
  /// "service account a@b.iam.gserviceaccount.com from /path/key.json".
  virtual std::string describe() const = 0;
};

using gcp_token_source_ptr = std::shared_ptr<gcp_token_source>;

gcp_token_source_ptr gcp_fixed_token(std::string token, std::string source);

gcp_token_source_ptr gcp_exchanged_token(gcp_credentials creds, std::string source,
                                         http_transport& transport, const clock& clk,
                                         duration timeout = seconds(30));

} // namespace styx
