#include "providers/price_entry.hpp"

#include <algorithm>

namespace styx {

std::vector<price_entry> sorted_by_type(std::vector<price_entry> table) {
  std::sort(table.begin(), table.end(), [](const price_entry& a, const price_entry& b) {
    return std::string_view{a.type} < std::string_view{b.type};
  });
  return table;
}

const price_entry* find_price(const std::vector<price_entry>& table, std::string_view type) {
  auto i = std::lower_bound(table.begin(), table.end(), type,
                            [](const price_entry& e, std::string_view t) {
                              return std::string_view{e.type} < t;
                            });
  return i != table.end() && type == i->type ? &*i : nullptr;
}

offering priced_offering(const provider_id& provider, const std::string& zone,
                         const price_entry& entry, double cpus, double memory_gib) {
  offering o;
  o.provider = provider;
  o.zone = zone;
  o.instance_type = entry.type;
  o.cpus = cpus > 0 ? cpus : entry.vcpus;
  o.memory_gib = memory_gib > 0 ? memory_gib : entry.memory_gib;
  o.gpus = entry.gpus;
  o.gpu_kind = entry.gpu_kind;
  o.on_demand_price = entry.on_demand;
  o.spot_price = entry.spot;
  return o;
}

} // namespace styx
