#pragma once
// AWS Signature Version 4 (header form), as pure functions. sigv4_sign() adds to a request:
//   Host                  if absent (from the URL; a default port is left out)
//   X-Amz-Date            YYYYMMDD'T'HHMMSS'Z' from the injected `now_ms` (never a clock read)
//   X-Amz-Security-Token  if the credentials carry a session token
//   X-Amz-Content-Sha256  only if `sign_payload_header`
//   Authorization         AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=..., Signature=...
// replacing any earlier copies of these (so a retried request can be signed again).
// Canonicalization follows the AWS documentation and matches botocore's SigV4Auth:
//   URI: dot segments and repeated slashes removed, then every byte but unreserved and '/' is
//        %XX-encoded (so an already-encoded path is encoded twice, as AWS requires for non-S3).
//   query: split on '&' then '=', decoded ('+' is a space), re-encoded, sorted by key then value.
//   headers: names lower-cased, values trimmed with inner whitespace runs collapsed to one
//            space, repeated names joined with ','; hop-by-hop headers and User-Agent unsigned.
//   payload: hex SHA-256 of the body, unless an X-Amz-Content-Sha256 header gives the value.
// The helpers are exposed for tests. Secrets never reach any returned string except the
// signing key itself (binary) and the signature.

#include <cstdint>
#include <string>

#include "providers/aws/credentials.hpp"
#include "providers/http.hpp"

namespace styx {

/// Lower-case hex of `bytes`.
std::string hex_encode(const std::string& bytes);
/// Hex SHA-256 of `data`.
std::string sha256_hex(const std::string& data);
/// Raw (32-byte) HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(const std::string& key, const std::string& data);

/// AWS URI encoding: A-Z a-z 0-9 - _ . ~ kept (and '/' if `keep_slash`), every other byte
/// becomes %XX with upper-case hex.
std::string aws_uri_encode(const std::string& s, bool keep_slash = false);
/// Decodes %XX (malformed escapes kept as they are) and, if `plus_is_space`, '+' to ' '.
std::string aws_uri_decode(const std::string& s, bool plus_is_space);

/// The parts of an absolute URL the signature needs.
struct url_parts {
  std::string scheme;  // lower-cased: "https"
  std::string host;    // lower-cased, ":port" kept unless it is the scheme's default
  std::string path;    // raw, as written; "" if absent
  std::string query;   // raw, without '?'; fragment dropped
};
url_parts split_url(const std::string& url);

/// Canonical URI of a raw path: "" -> "/", dot segments and empty segments removed, encoded.
std::string sigv4_canonical_uri(const std::string& raw_path);
/// Canonical query string of a raw query (the part after '?').
std::string sigv4_canonical_query(const std::string& raw_query);

struct sigv4_headers {
  std::string canonical;  // "name:value\n" per header, sorted by name
  std::string signed_names;  // "host;x-amz-date"
};
/// Canonical and signed header lists of `headers` (skipping unsigned ones, and Authorization).
sigv4_headers sigv4_canonical_headers(const http_headers& headers);

/// The canonical request of `req` as it will be sent (Host and X-Amz-Date already present).
std::string sigv4_canonical_request(const http_request& req);
/// "20150830T123600Z" for `now_ms` (Unix time in milliseconds, UTC).
std::string sigv4_amz_date(int64_t now_ms);
/// "20150830/us-east-1/iam/aws4_request".
std::string sigv4_scope(const std::string& amz_date, const std::string& region,
                        const std::string& service);
std::string sigv4_string_to_sign(const std::string& amz_date, const std::string& scope,
                                 const std::string& canonical_request);
/// Raw signing key: HMAC chain over date (YYYYMMDD), region, service, "aws4_request".
std::string sigv4_signing_key(const std::string& secret_access_key, const std::string& date,
                              const std::string& region, const std::string& service);

/// Signs `req` in place; see the top of this file.
void sigv4_sign(http_request& req, const aws_credentials& creds, const std::string& region,
                const std::string& service, int64_t now_ms, bool sign_payload_header = false);

} // namespace styx
