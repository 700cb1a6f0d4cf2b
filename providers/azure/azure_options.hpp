#pragma once
// How Styx launches on Azure, besides credentials: the subscription, resource group and
// Resource Manager endpoint (resolved by runtime/azure_settings.hpp when empty), the image,
// subnet and administrator of the VMs, the calls' sizes, and Resource Manager's throttling
// buckets.

#include <cstddef>
#include <string>

#include "common/ec2_rate_limits.hpp"
#include "common/time.hpp"

namespace styx {

constexpr const char* azure_compute_api_version = "2022-08-01";
constexpr const char* azure_skus_api_version = "2021-07-01";
constexpr const char* azure_network_api_version = "2020-11-01";
constexpr const char* azure_default_arm = "https://management.azure.com/";
constexpr const char* azure_default_authority = "https://login.microsoftonline.com/";
constexpr const char* azure_arm_scope = "https://management.azure.com/.default";

/// Resource Manager's regional token buckets per subscription (cloud-limits.md): reads 250
/// refilling 25/s; writes and deletes 200 refilling 10/s each. Over them ARM answers 429 with
/// Retry-After. A capacity <= 0: no bucket.
struct azure_limits {
  bucket_config reads{250, 25};
  bucket_config writes{200, 10};
  bucket_config deletes{200, 10};
};

struct azure_options {
  std::string subscription;    // empty: AZURE_SUBSCRIPTION_ID
  std::string resource_group;  // empty: AZURE_RESOURCE_GROUP (required one way or the other)
  std::string arm_endpoint;    // empty: STYX_AZURE_ARM_ENDPOINT, else azure_default_arm
  std::string ca_bundle;       // PEM file trusted for Resource Manager and the authority
                               // instead of the system's; empty: STYX_AZURE_CA_BUNDLE, else
                               // the system's. Verification stays on either way.
  // publisher:offer:sku:version, or an image's resource id (/subscriptions/...).
  std::string image = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest";
  std::string subnet;          // a subnet's resource id; empty: STYX_AZURE_SUBNET, else the
                               // group's virtualNetworks/styx-vnet/subnets/default
  std::string admin_user = "styx";
  std::string ssh_public_key;  // empty: STYX_AZURE_SSH_PUBLIC_KEY (real Azure wants one)
  duration request_timeout = seconds(30); // one HTTP exchange
  size_t max_change_batch = 10;           // VMs per deallocate/start/delete call: each is a
                                          // request of its own
  azure_limits limits;
};

/// The provider buckets of `regions` provider actors of one subscription (Styx's requests go
/// to the same Resource Manager region whatever the VMs' location, so they share its
/// buckets): each gets its share of the reads (the describe class: reads, lists, the catalog
/// and the operations asked about), of the writes and of the deletes. A create is one VM and
/// one request, so the create request bucket is the writes one; a start, stop or terminate
/// call is a request per VM, so they are paced by their resource buckets (writes, writes,
/// deletes) and their request buckets are unlimited. Creates, starts and stops each draw from
/// a bucket of the writes' size: they seldom run at once, and the cloud's remaining-writes
/// headers lower them all the same.
ec2_rate_limits azure_rate_limits(const azure_limits& limits, size_t regions = 1);

} // namespace styx
