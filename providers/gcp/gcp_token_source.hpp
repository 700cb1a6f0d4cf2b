#pragma once
// Where a GCP provider's bearer tokens come from (providers/token_source.hpp):
//
//   fixed      one token given from outside (CLOUDSDK_AUTH_ACCESS_TOKEN, as gcloud takes it):
//              never refreshed.
//   exchanged  credentials (gcp_auth.hpp) exchanged at their token_uri for an access token,
//              cached and exchanged again once less than a fifth of its lifetime (at most
//              5 minutes) is left, or when Compute refused it.
//
// Thread rules and lifetimes: token_source's. Tokens and keys are never logged and never part
// of an error message.

#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/gcp/gcp_auth.hpp"
#include "providers/http.hpp"
#include "providers/token_source.hpp"

namespace styx {

using gcp_token_source = token_source;
using gcp_token_source_ptr = token_source_ptr;

gcp_token_source_ptr gcp_fixed_token(std::string token, std::string source);

/// describe(): "service account a@b.iam.gserviceaccount.com from /path/key.json".
gcp_token_source_ptr gcp_exchanged_token(gcp_credentials creds, std::string source,
                                         http_transport& transport, const clock& clk,
                                         duration timeout = seconds(30));

} // namespace styx
