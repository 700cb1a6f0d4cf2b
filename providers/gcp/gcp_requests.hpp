#pragma once
// The Compute Engine REST v1 requests Styx makes, as URLs and JSON bodies. Pure functions.
//
//   insert      POST {base}projects/P/zones/Z/instances?requestId=R          one instance
//   bulkInsert  POST {base}projects/P/zones/Z/instances/bulkInsert?requestId=R
//               {"count": n, "minCount": n, "perInstanceProperties": {NAME: {}, ...},
//                "instanceProperties": {...}}: all or nothing, each instance named
//   stop/start  POST {base}projects/P/zones/Z/instances/NAME/stop?requestId=R (start alike)
//   delete      DELETE {base}projects/P/zones/Z/instances/NAME?requestId=R
//   list        GET  {base}projects/P/zones/Z/instances?filter=F&maxResults=M[&pageToken=T]
//   aggregated  GET  {base}projects/P/aggregated/instances?filter=F&maxResults=M
//               &returnPartialSuccess=true
//   operations  GET  {base}projects/P/zones/Z/operations/NAME, or ?filter=F for several
// An instance is launched with one boot disk from `image` (auto-deleted with it), one network
// interface on `network` (and `subnetwork` when set), the labels, and for spot
// scheduling {provisioningModel: SPOT, instanceTerminationAction: DELETE, automaticRestart:
// false, onHostMaintenance: TERMINATE}: a preempted spot VM is deleted, as an EC2 spot
// instance is terminated.

#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"

namespace styx {

/// What every instance of one create call is launched with.
struct gcp_launch {
  std::string machine_type;
  std::string image;       // "projects/debian-cloud/global/images/family/debian-12"
  std::string network;     // "global/networks/default"
  std::string subnetwork;  // empty: the network's own
  market_kind market = market_kind::on_demand;
  tag_map labels;
};

/// "{base}projects/P/zones/Z"; `base` ends with '/'.
std::string gcp_zone_url(std::string_view base, std::string_view project, std::string_view zone);

/// RFC 3986 percent-encoding of everything but unreserved characters (a query value).
std::string gcp_percent_encode(std::string_view text);

/// A requestId for the call with idempotency `token`, for its part `part` (an instance of a
/// change; empty for a create): a UUID derived from both (SHA-256), the same for every retry.
std::string gcp_request_id(std::string_view token, std::string_view part = {});

std::string gcp_insert_body(const gcp_launch& launch, std::string_view zone,
                            const std::string& name);
std::string gcp_bulk_insert_body(const gcp_launch& launch, const std::vector<std::string>& names);

} // namespace styx
