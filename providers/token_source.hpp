#pragma once
// Where a cloud provider's bearer tokens come from (GCP, Azure).
//
//   fixed      one token given from outside (an environment variable): never refreshed.
//   exchanged  credentials exchanged at a token endpoint for an access token (the exchange's
//              request and the reading of its answer are the cloud's: token_exchange), cached
//              and exchanged again once less than a fifth of its lifetime (at most 5 minutes)
//              is left, or when the cloud refused it.
//
// The token exchange is an HTTP request, and every HTTP request to a cloud goes through its
// provider actor: it is made only inside an API call that asked for a token (with_token),
// and that call counts it among its requests (api_reply::requests), so the provider charges it
// to the call's bucket. Calls that ask while an exchange is on the wire wait for it: one
// exchange for all of them, counted by the call that made it.
//
// Thread rules: thread-safe; `ready` runs exactly once, on the caller's thread when a token is
// cached, else on the transport's. Lifetimes: held by shared_ptr (the cloud_api and its calls
// in flight); the transport and clock must outlive it. Tokens and secrets are never logged and
// never part of an error message.

#include <functional>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"
#include "providers/http.hpp"

namespace styx {

class token_source {
public:
  /// `exchanged`: this call made the HTTP request of a token exchange (it counts it).
  using ready_fn = std::function<void(const std::string& token, const cloud_error& err,
                                      bool exchanged)>;

  virtual ~token_source() = default;

  /// Calls `ready` with a valid token, or with why there is none.
  virtual void with_token(ready_fn ready) = 0;

  /// The cloud refused `token` (HTTP 401): the next with_token() exchanges again.
  virtual void refused(const std::string& token) = 0;

  /// Where tokens come from, without a secret.
  virtual std::string describe() const = 0;
};

using token_source_ptr = std::shared_ptr<token_source>;

/// What an exchange gave: a token and when it expires (wall ms), or why not.
struct token_grant {
  std::string access_token;
  unix_ms expires_at = 0;
  int64_t lifetime_ms = 0;
  cloud_error error;
};

/// One cloud's exchange: the token request at wall time `now` (`error` set, one line without a
/// secret, when none can be made), and the reading of its answer received at `now`.
struct token_exchange {
  struct made {
    http_request request;
    std::string error;
  };
  std::function<made(unix_ms now)> request;
  std::function<token_grant(const http_response&, unix_ms now)> read;
};

token_source_ptr fixed_token_source(std::string token, std::string source);

/// `who`: describe()'s answer.
token_source_ptr exchanged_token_source(token_exchange exchange, std::string who,
                                        http_transport& transport, const clock& clk);

} // namespace styx
