#pragma once
// One row of a cloud's built-in price table (GCP, Azure): an instance type's shape and its
// on-demand and spot prices, and the offering it makes in a zone. Pure values and functions.

#include <string>
#include <string_view>
#include <vector>

#include "messages/cloud_types.hpp"

namespace styx {

struct price_entry {
  const char* type;     // the cloud's name of the instance type
  double vcpus;
  double memory_gib;
  int gpus;
  const char* gpu_kind; // "" for none
  double on_demand;     // USD per hour
  double spot;          // USD per hour
};

/// `table` sorted by type.
std::vector<price_entry> sorted_by_type(std::vector<price_entry> table);

/// The entry of `type` in a table sorted by type; nullptr if it has none.
const price_entry* find_price(const std::vector<price_entry>& table, std::string_view type);

/// The offering of `entry` in `zone`, with the shape the cloud reported (<= 0: the table's).
offering priced_offering(const provider_id& provider, const std::string& zone,
                         const price_entry& entry, double cpus, double memory_gib);

} // namespace styx
