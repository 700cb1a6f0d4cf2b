#pragma once
// Azure client credentials (a service principal's secret) and their exchange for a Resource
// Manager token at the Microsoft identity platform's v2.0 endpoint, as pure functions, and the
// token source that caches and refreshes the token (providers/token_source.hpp):
//
//   POST {authority}{tenant}/oauth2/v2.0/token
//        grant_type=client_credentials&client_id=C&client_secret=S
//        &scope=https://management.azure.com/.default
//   -> {"token_type": "Bearer", "expires_in": 3599, "access_token": "..."}
//
// Errors: 400/401 (invalid_client, unauthorized_client, invalid_scope, ...) -> auth; 5xx or no
// answer -> transient (timeout); a 2xx without access_token -> auth. No function here logs,
// and no error message contains the secret or a token.

#include <string>

#include "common/time.hpp"
#include "providers/http.hpp"
#include "providers/token_source.hpp"

namespace styx {

struct azure_client_credentials {
  std::string tenant;
  std::string client_id;
  std::string client_secret;
  std::string authority = "https://login.microsoftonline.com/"; // ends with '/'
  std::string ca_bundle; // trusted for the authority instead of the system's; empty: system

  /// Who, without a secret: "client C of tenant T at https://login.microsoftonline.com/".
  std::string who() const;
};

http_request azure_token_request(const azure_client_credentials& creds, duration timeout);

/// The token endpoint's answer, received at wall time `now`.
token_grant azure_read_token_answer(const http_response& resp, unix_ms now);

token_source_ptr azure_token_source(azure_client_credentials creds, http_transport& transport,
                                    const clock& clk, duration timeout = seconds(30));

} // namespace styx
