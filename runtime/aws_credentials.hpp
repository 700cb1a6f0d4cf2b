#pragma once
// Where Styx's EC2 provider gets its AWS credentials, region and endpoint: the AWS CLI's chain.
//   credentials  1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//                2. the shared credentials file, section [P]
//                   (AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials)
//                3. the config file, section [profile P] ([default] for "default")
//                   (AWS_CONFIG_FILE, else $HOME/.aws/config)
//                with P = AWS_PROFILE, else "default".
//   region       the override (e.g. a --region flag), AWS_REGION, AWS_DEFAULT_REGION, then the
//                profile's `region` (config file first, then credentials file).
//   endpoint     AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, else https://ec2.<region>.amazonaws.com
//                (amazonaws.com.cn for cn-* regions).
//   CA bundle    AWS_CA_BUNDLE, else the profile's `ca_bundle` in the config file: a PEM file
//                trusted for the endpoint instead of the system's CAs; it must be readable.
//                Verification stays on either way.
// Empty variables count as unset. Files are read only when needed; a missing file is not an
// error, an unreadable or malformed one is ("path:line: ..."). Half a key pair (an access key
// without its secret or the reverse) is an error naming the variable or file. When nothing is
// found, the error names every place that was looked at. No message ever contains a secret.

#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "providers/aws/credentials.hpp"

namespace styx {

/// Looks up an environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (getenv).
env_lookup process_environment();

/// `env` where an empty variable counts as unset.
env_lookup non_empty(const env_lookup& env);

struct aws_settings {
  aws_credentials creds;
  std::string region;
  std::string endpoint;              // "https://ec2.us-east-1.amazonaws.com" (no trailing '/')
  bool endpoint_is_default = true;   // false when set by AWS_ENDPOINT_URL(_EC2)
  std::string source;                // credentials' origin: "environment", "/root/.aws/credentials [default]"
  std::string region_source;         // "override", "AWS_REGION", "/root/.aws/config [profile x]", ...
  std::string ca_bundle;             // empty: the system's CAs
  std::string ca_bundle_source;      // "AWS_CA_BUNDLE" or "path [section]"

  /// "endpoint E, credentials AKIA…(redacted) from S[, CA bundle F from G]": no secret.
  std::string describe() const;
};

/// Resolves credentials, region and endpoint; returns the settings or an error message.
std::variant<aws_settings, std::string> resolve_aws_settings(
    const std::string& region_override, const env_lookup& env = process_environment());

} // namespace styx
