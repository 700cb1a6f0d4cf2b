#pragma once
// What Azure capacity costs: a built-in table of VM sizes with their shape and their eastus
// pay-as-you-go and Spot prices (Linux, USD per hour) for the common families: B (burstable),
// Dsv5, Esv5, Fsv2 and NCasT4_v3 (NVIDIA T4). Prices change and differ by location and, for
// Spot, by the hour: treat them as defaults, as the EC2 and GCP tables are. The resource SKUs
// Resource Manager lists say which sizes a location offers in which zones (and which are
// restricted for the subscription); the table says what they cost.

#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"
#include "providers/azure/azure_json.hpp"
#include "providers/price_entry.hpp"

namespace styx {

using azure_price_entry = price_entry; // type: the VM size

/// The built-in table, sorted by size.
const std::vector<azure_price_entry>& azure_price_table();

/// The table's entry for `size`; nullptr if the table does not know it.
const azure_price_entry* azure_price_of(std::string_view size);

/// One offering per (zone, size) of `skus` that the table prices, in every zone the SKU lists
/// except those a restriction names; a SKU restricted in the whole location is left out. No
/// SKU at all (an empty answer): every table entry in zones 1, 2 and 3.
catalog azure_catalog(const provider_id& provider, const std::vector<azure_sku>& skus);

} // namespace styx
