#pragma once
// Where Styx's Azure provider gets its credentials, subscription, resource group, location and
// endpoints: the variables of azure-identity's EnvironmentCredential and az's defaults, so that
// a machine set up for the Azure SDK is set up for Styx.
//   credentials     AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (a service
//                   principal's client secret), exchanged at the authority's v2.0 endpoint
//   authority       AZURE_AUTHORITY_HOST (a host or an https URL), else
//                   https://login.microsoftonline.com/
//   subscription    the override (--subscription), else AZURE_SUBSCRIPTION_ID
//   resource group  the override (--resource-group), else AZURE_RESOURCE_GROUP, else
//                   AZURE_DEFAULTS_GROUP (az's)
//   location        the override (--region), else AZURE_DEFAULTS_LOCATION (az's), else eastus
//   Resource Manager  the override (engine_config::azure.arm_endpoint), else
//                   STYX_AZURE_ARM_ENDPOINT, else https://management.azure.com/
//   CA bundle       the override (engine_config::azure.ca_bundle), else STYX_AZURE_CA_BUNDLE,
//                   else REQUESTS_CA_BUNDLE (what az and the Python SDK honour), else the
//                   system's: trusted for Resource Manager and the authority
//   subnet, ssh key the overrides, else STYX_AZURE_SUBNET and STYX_AZURE_SSH_PUBLIC_KEY
// Both endpoints must be https (a bearer token never goes over plain http, as the SDK refuses
// too). Empty variables count as unset. No message ever contains the secret or a token.

#include <string>
#include <variant>

#include "providers/azure/azure_auth.hpp"
#include "providers/azure/azure_options.hpp"
#include "runtime/aws_credentials.hpp" // env_lookup, process_environment

namespace styx {

constexpr const char* azure_default_location = "eastus";

struct azure_settings {
  azure_client_credentials creds;
  azure_options opts;          // subscription, resource group, endpoint, CA, subnet resolved
  std::string location;
  std::string location_source;

  /// Who and where, without a secret: "subscription S, group G, client C of tenant T at
  /// https://login.microsoftonline.com/, endpoint https://management.azure.com/".
  std::string describe() const;
};

/// Resolves everything above for `location_override` (empty: the chain); returns the settings
/// or an error message (one line).
std::variant<azure_settings, std::string> resolve_azure_settings(
    const azure_options& overrides, const std::string& location_override,
    const env_lookup& env = process_environment());

/// Only the location (no credentials needed): `error` set when it is malformed.
struct azure_location_result {
  std::string location;
  std::string source;
  std::string error;
};
azure_location_result resolve_azure_location(const std::string& location_override,
                                             const env_lookup& env = process_environment());

} // namespace styx
