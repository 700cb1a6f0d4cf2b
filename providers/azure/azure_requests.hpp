#pragma once
// The Resource Manager requests Styx makes, as paths and JSON bodies. Pure functions.
//
//   create      PUT  {group}/providers/Microsoft.Compute/virtualMachines/NAME?api-version=V
//               one VM: size, image, zone, tags, priority and its NIC declared inline
//               (networkProfile.networkInterfaceConfigurations with networkApiVersion), so
//               that a VM takes one call. Spot: priority Spot, evictionPolicy Delete,
//               billingProfile.maxPrice (-1: up to the on-demand price).
//   describe    GET  {group}/providers/Microsoft.Compute/virtualMachines?statusOnly=true
//               (every VM of the group with its power state, nextLink pages), or
//               GET  .../virtualMachines/NAME/instanceView for one VM
//   stop/start  POST .../virtualMachines/NAME/deallocate, .../start
//   delete      DELETE .../virtualMachines/NAME
//   operations  GET the Azure-AsyncOperation URL a 201/202 named (else its Location)
//   catalog     GET  subscriptions/S/providers/Microsoft.Compute/skus?$filter=location eq 'L'
// {group} is {endpoint}subscriptions/S/resourceGroups/G.

#include <string>

#include "messages/cloud_types.hpp"

namespace styx {

/// What one VM is launched with.
struct azure_launch {
  std::string location;
  std::string zone;        // "1", "2", "3"
  std::string size;        // Standard_B1s
  std::string image;       // publisher:offer:sku:version or a resource id
  std::string subnet;      // a subnet's resource id
  std::string admin_user;
  std::string ssh_public_key; // empty: no ssh key in the osProfile
  market_kind market = market_kind::on_demand;
  double max_price = 0;    // spot: USD per hour; <= 0: up to the on-demand price (-1)
  tag_map tags;
};

/// The PUT body of VM `name`.
std::string azure_vm_body(const azure_launch& launch, const std::string& name);

/// {"publisher", "offer", "sku", "version"} of "p:o:s:v", or {"id"} of a resource id; empty
/// when `image` is neither.
std::string azure_image_reference(const std::string& image);

} // namespace styx
