#pragma once
// What Compute Engine capacity costs: a built-in table of machine types with their shape and
// their us-central1 on-demand and spot list prices (Linux, USD per hour), for the common
// families: e2 (shared-core micro/small/medium, standard, highcpu, highmem), n1-standard,
// n2-standard/highmem, c2-standard, g2-standard (NVIDIA L4) and a2-highgpu (NVIDIA A100).
// Prices change and differ by region: treat them as defaults, as the EC2 table is. Spot
// prices are Compute's published spot rates for the same region (they change at most once a
// month), not a market to query.

#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"
#include "providers/gcp/gcp_json.hpp"
#include "providers/price_entry.hpp"

namespace styx {

using gcp_price_entry = price_entry; // type: the machine type

/// The built-in table, sorted by machine type.
const std::vector<gcp_price_entry>& gcp_price_table();

/// The table's entry for `machine_type`; nullptr if the table does not know it.
const gcp_price_entry* gcp_price_of(std::string_view machine_type);

/// One offering per machine type Compute described in a zone of `zones` that the table knows,
/// with the shape Compute reported and the table's GPUs and prices. No type described at all
/// (an answer without machine types): every table entry in every zone.
catalog gcp_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const std::vector<gcp_machine_type>& described);

} // namespace styx
