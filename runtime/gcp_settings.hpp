#pragma once
// Where Styx's GCP provider gets its credentials, project, region and endpoint: gcloud's own
// places, so that a machine set up for gcloud is set up for Styx.
//   credentials  1. CLOUDSDK_AUTH_ACCESS_TOKEN: a bearer token used as it is (never refreshed)
//                2. GOOGLE_APPLICATION_CREDENTIALS: a JSON key file (service_account, or
//                   authorized_user)
//                3. gcloud's application default credentials:
//                   <config dir>/application_default_credentials.json
//   project      the override (--project), CLOUDSDK_CORE_PROJECT, GOOGLE_CLOUD_PROJECT,
//                gcloud's [core] project, then the credentials' project_id
//   region       the override (--region), CLOUDSDK_COMPUTE_REGION, gcloud's [compute] region,
//                the region of CLOUDSDK_COMPUTE_ZONE or of [compute] zone, else us-central1
//   endpoint     CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE, gcloud's [api_endpoint_overrides]
//                compute, else https://compute.googleapis.com/compute/v1/
//   CA bundle    CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE, gcloud's [core] custom_ca_certs_file, else
//                the system's CAs: trusted for Compute and the token endpoint
// gcloud's config dir is CLOUDSDK_CONFIG, else $HOME/.config/gcloud; its properties are in
// configurations/config_<name>, <name> from CLOUDSDK_ACTIVE_CONFIG_NAME, the file
// active_config, else "default". Empty variables count as unset; a missing file is not an
// error, an unreadable or malformed one is. No message ever contains a key or a token.

#include <string>
#include <variant>

#include "providers/gcp/gcp_auth.hpp"
#include "runtime/aws_credentials.hpp" // env_lookup, process_environment

namespace styx {

struct gcp_settings {
  std::string access_token;     // set: a fixed token (CLOUDSDK_AUTH_ACCESS_TOKEN)
  gcp_credentials creds;        // else these, exchanged for tokens
  std::string creds_source;     // "CLOUDSDK_AUTH_ACCESS_TOKEN", "/path/key.json"
  std::string project;
  std::string project_source;
  std::string region;
  std::string region_source;
  std::string endpoint;         // ends with '/'
  bool endpoint_is_default = true;
  std::string ca_bundle;        // empty: the system's CAs (also set in creds.ca_bundle)

  /// Who and where, without a secret: "project p (CLOUDSDK_CORE_PROJECT), service account
  /// a@b from /k.json, endpoint https://compute.googleapis.com/compute/v1/".
  std::string describe() const;
};

constexpr const char* gcp_default_endpoint = "https://compute.googleapis.com/compute/v1/";
constexpr const char* gcp_default_region = "us-central1";

/// Resolves credentials, project, region and endpoint; returns the settings or an error
/// message (one line).
std::variant<gcp_settings, std::string> resolve_gcp_settings(
    const std::string& project_override, const std::string& region_override,
    const env_lookup& env = process_environment());

/// Only the region (no credentials needed): the same chain as above; `error` set when a
/// config file cannot be read or the region is malformed.
struct gcp_region_result {
  std::string region;
  std::string source;
  std::string error;
};
gcp_region_result resolve_gcp_region(const std::string& region_override,
                                     const env_lookup& env = process_environment());

} // namespace styx
