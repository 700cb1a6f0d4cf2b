#pragma once
// Google credentials as Styx reads them, and the OAuth2 token exchange as pure functions:
//
//   service_account  a service-account JSON key (GOOGLE_APPLICATION_CREDENTIALS, or gcloud's
//                    application_default_credentials.json of type "service_account"): a JWT
//                    {iss: client_email, scope, aud: token_uri, iat, exp: iat + 1 h} signed
//                    RS256 (OpenSSL) with its private key, exchanged at its token_uri
//                    (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer).
//   authorized_user  gcloud's user application default credentials: its refresh_token
//                    exchanged at token_uri (default https://oauth2.googleapis.com/token).
// No function here logs, and no error message contains a key, a JWT or a token.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"
#include "providers/http.hpp"

namespace styx {

constexpr const char* gcp_compute_scope = "https://www.googleapis.com/auth/compute";
constexpr const char* gcp_default_token_uri = "https://oauth2.googleapis.com/token";

struct gcp_credentials {
  enum class kind : uint8_t { service_account, authorized_user } type = kind::service_account;
  std::string client_email;     // service_account
  std::string private_key_pem;  // service_account: PKCS#8 PEM
  std::string private_key_id;   // service_account: the JWT's kid
  std::string client_id;        // authorized_user
  std::string client_secret;    // authorized_user
  std::string refresh_token;    // authorized_user
  std::string token_uri;
  std::string project_id;       // service_account: the key's project; authorized_user: its
                                // quota_project_id
  std::string ca_bundle;        // trusted for token_uri instead of the system's CAs; empty:
                                // the system's (not from the key: gcloud's custom_ca_certs_file)

  /// Who these credentials are, without a secret: "service account a@b.iam.gserviceaccount.com".
  std::string who() const;
};

/// Parses a credentials JSON file's text; `where` names it in errors ("path: ...").
/// On failure `error` is set and the credentials are empty.
struct gcp_credentials_result {
  gcp_credentials creds;
  std::string error;
};
gcp_credentials_result gcp_parse_credentials(std::string_view json, const std::string& where);

/// The signed JWT assertion for a service account, at wall time `now_ms`; `error` set when the
/// key cannot sign (not a PEM RSA private key).
struct gcp_jwt_result {
  std::string jwt;
  std::string error;
};
gcp_jwt_result gcp_sign_jwt(const gcp_credentials& sa, std::string_view scope, unix_ms now_ms);

/// The token request for `creds` (POST, form body), signed at `now_ms`; `error` set when no
/// request can be made.
struct gcp_token_request {
  http_request request;
  std::string error;
};
gcp_token_request gcp_make_token_request(const gcp_credentials& creds, unix_ms now_ms,
                                         duration timeout);

/// An access token and when it expires (wall ms).
struct gcp_token {
  std::string access_token;
  unix_ms expires_at = 0;
  int64_t lifetime_ms = 0;
};

/// Reads the token endpoint's answer received at `now_ms`. Errors: 400/401/403 (invalid_grant,
/// ...) -> auth; 5xx, no answer -> transient (timeout); a 2xx without access_token -> auth.
struct gcp_token_answer {
  gcp_token token;
  cloud_error error;
};
gcp_token_answer gcp_read_token_answer(const http_response& resp, unix_ms now_ms);

/// base64url without padding (the JWT encoding).
std::string gcp_base64url(std::string_view bytes);

} // namespace styx
