#include "runtime/azure_settings.hpp"

#include <unistd.h>

#include <cctype>
#include <optional>

namespace styx {

namespace {

/// The override, else the first variable of `vars` that is set; empty when none.
std::string first_of(const std::string& override_, std::initializer_list<const char*> vars,
                     const env_lookup& get, std::string* source = nullptr) {
  if (!override_.empty()) {
    if (source)
      *source = "override";
    return override_;
  }
  for (auto* var : vars)
    if (auto v = get(var)) {
      if (source)
        *source = var;
      return *v;
    }
  return {};
}

/// An https URL ending with '/'; `what` names it in the error.
std::variant<std::string, std::string> https_url(std::string url, const std::string& what) {
  if (url.find("://") == std::string::npos)
    url = "https://" + url;
  if (url.compare(0, 8, "https://") != 0)
    return std::variant<std::string, std::string>{
      std::in_place_index<1>, what + " must be an https URL (got '" + url
                                + "'): bearer tokens never go over plain http"};
  if (url.back() != '/')
    url += '/';
  return std::variant<std::string, std::string>{std::in_place_index<0>, url};
}

bool valid_group(const std::string& g) {
  if (g.empty() || g.size() > 90 || g.back() == '.')
    return false;
  for (char c : g)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'
          || c == '(' || c == ')'))
      return false;
  return true;
}

} // namespace

std::string azure_settings::describe() const {
  return "subscription " + opts.subscription + ", group " + opts.resource_group + ", "
         + creds.who() + ", endpoint " + opts.arm_endpoint
         + (opts.ca_bundle.empty() ? std::string{} : ", CA bundle " + opts.ca_bundle);
}

azure_location_result resolve_azure_location(const std::string& location_override,
                                             const env_lookup& env) {
  auto get = non_empty(env);
  azure_location_result out;
  out.location = first_of(location_override, {"AZURE_DEFAULTS_LOCATION"}, get, &out.source);
  if (out.location.empty()) {
    out.location = azure_default_location;
    out.source = "default";
  }
  for (char c : out.location)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c))))
      out.error = "invalid Azure location '" + out.location + "' (from " + out.source
                  + "): expected lower-case letters and digits, like eastus";
  return out;
}

std::variant<azure_settings, std::string> resolve_azure_settings(
    const azure_options& overrides, const std::string& location_override, const env_lookup& env) {
  auto get = non_empty(env);
  azure_settings out;
  out.opts = overrides;

  std::string missing;
  auto need = [&](const char* var) {
    auto v = get(var);
    if (!v)
      missing += (missing.empty() ? "" : ", ") + std::string{var};
    return v.value_or("");
  };
  out.creds.tenant = need("AZURE_TENANT_ID");
  out.creds.client_id = need("AZURE_CLIENT_ID");
  out.creds.client_secret = need("AZURE_CLIENT_SECRET");
  out.opts.subscription = first_of(overrides.subscription, {"AZURE_SUBSCRIPTION_ID"}, get);
  if (out.opts.subscription.empty())
    missing += (missing.empty() ? "" : ", ") + std::string{"AZURE_SUBSCRIPTION_ID"};
  if (!missing.empty())
    return "no Azure credentials: set " + missing
           + " (a service principal's client secret, as the Azure SDK reads them)";

  out.opts.resource_group = first_of(overrides.resource_group,
                                     {"AZURE_RESOURCE_GROUP", "AZURE_DEFAULTS_GROUP"}, get);
  if (out.opts.resource_group.empty())
    return "no Azure resource group: pass --resource-group or set AZURE_RESOURCE_GROUP";
  if (!valid_group(out.opts.resource_group))
    return "invalid Azure resource group '" + out.opts.resource_group
           + "': letters, digits, '-', '_', '.', '(' and ')', at most 90, not ending in '.'";

  auto location = resolve_azure_location(location_override, env);
  if (!location.error.empty())
    return location.error;
  out.location = location.location;
  out.location_source = location.source;

  auto authority = https_url(get("AZURE_AUTHORITY_HOST").value_or(azure_default_authority),
                             "AZURE_AUTHORITY_HOST");
  if (authority.index() == 1)
    return std::get<1>(authority);
  out.creds.authority = std::get<0>(authority);

  auto arm_text = first_of(overrides.arm_endpoint, {"STYX_AZURE_ARM_ENDPOINT"}, get);
  auto arm = https_url(arm_text.empty() ? azure_default_arm : arm_text,
                       "the Resource Manager endpoint (STYX_AZURE_ARM_ENDPOINT)");
  if (arm.index() == 1)
    return std::get<1>(arm);
  out.opts.arm_endpoint = std::get<0>(arm);

  out.opts.ca_bundle = first_of(overrides.ca_bundle,
                                {"STYX_AZURE_CA_BUNDLE", "REQUESTS_CA_BUNDLE"}, get);
  if (!out.opts.ca_bundle.empty() && ::access(out.opts.ca_bundle.c_str(), R_OK) != 0)
    return "the Azure CA bundle " + out.opts.ca_bundle + " cannot be read";
  out.creds.ca_bundle = out.opts.ca_bundle;

  out.opts.subnet = first_of(overrides.subnet, {"STYX_AZURE_SUBNET"}, get);
  if (out.opts.subnet.empty())
    out.opts.subnet = "/subscriptions/" + out.opts.subscription + "/resourceGroups/"
                      + out.opts.resource_group
                      + "/providers/Microsoft.Network/virtualNetworks/styx-vnet/subnets/default";
  out.opts.ssh_public_key = first_of(overrides.ssh_public_key, {"STYX_AZURE_SSH_PUBLIC_KEY"}, get);
  return out;
}

} // namespace styx
