#pragma once
// Resource Manager's JSON answers for Microsoft.Compute, read with simdjson into plain values:
// a virtual machine (GET, PUT answers, list pages with statusOnly=true and their nextLink), an
// instance view, an asynchronous operation's status, resource SKU pages, ARM's error body and
// the token endpoint's answer. A body that is not the expected document gives nullopt. Pure
// functions (the parser is thread-local).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"

namespace styx {

/// One virtual machine as Styx reads it.
struct azure_vm {
  std::string name;
  std::string location;
  std::string zone;               // zones[0]: "1", "2", "3"; empty for a regional VM
  std::string size;               // hardwareProfile.vmSize
  std::string provisioning_state; // Creating, Updating, Succeeded, Failed, Deleting
  std::string power;              // PowerState/<this> of the instance view; empty: not given
  bool spot = false;              // priority Spot
  tag_map tags;
  unix_ms created = 0;            // timeCreated
};

struct azure_vm_page {
  std::vector<azure_vm> vms;
  std::string next_link; // empty: the last page
};

/// The instance view's statuses: ProvisioningState/<x> and PowerState/<y>.
struct azure_instance_view {
  std::string provisioning_state;
  std::string power;
};

/// An Azure-AsyncOperation (or Location) status document.
struct azure_operation {
  std::string status;        // InProgress, Succeeded, Failed, Canceled
  std::string error_code;    // the most specific code: error.details[0].code for a generic one
  std::string error_message;

  bool done() const { return !status.empty() && status != "InProgress"; }
  bool failed() const { return status == "Failed" || status == "Canceled"; }
};

/// One resource SKU of resourceType virtualMachines in the location asked about.
struct azure_sku {
  std::string name;                      // Standard_D2s_v5
  double cpus = 0;                       // capability vCPUs
  double memory_gib = 0;                 // capability MemoryGB
  int gpus = 0;                          // capability GPUs
  std::vector<std::string> zones;        // locationInfo[].zones
  std::vector<std::string> restricted_zones; // a restriction of type Zone
  bool restricted = false;               // a restriction of type Location: not offered at all
};

struct azure_sku_page {
  std::vector<azure_sku> skus;
  std::string next_link;
};

/// {"error": {"code", "message", "details": [{"code", "message"}]}}: `code` is the top one,
/// `detail_code` the first detail's.
struct azure_error_body {
  std::string code;
  std::string message;
  std::string detail_code;
};

/// The token endpoint's answer: {"access_token", "expires_in"} or {"error", "error_description"}.
struct azure_token_body {
  std::string access_token;
  double expires_in = 0;
  std::string error;
  std::string error_description;
};

std::optional<azure_vm> azure_parse_vm(std::string_view body);
std::optional<azure_vm_page> azure_parse_vms(std::string_view body);
std::optional<azure_instance_view> azure_parse_instance_view(std::string_view body);
std::optional<azure_operation> azure_parse_operation(std::string_view body);
/// Only the SKUs of resourceType virtualMachines; restrictions for `location` only.
std::optional<azure_sku_page> azure_parse_skus(std::string_view body, std::string_view location);
std::optional<azure_error_body> azure_parse_error(std::string_view body);
std::optional<azure_token_body> azure_parse_token(std::string_view body);

/// The engine's state of a VM: Deleting -> terminating; Failed (an allocation that failed:
/// the resource holds no machine) -> stopped; then by power state: running -> running;
/// starting -> pending while Creating, else starting; stopping, deallocating -> stopping;
/// stopped, deallocated -> stopped; no power state yet -> pending.
instance_state azure_state_of(std::string_view provisioning_state, std::string_view power);

} // namespace styx
