#include "providers/azure/azure_prices.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace styx {

const std::vector<azure_price_entry>& azure_price_table() {
  static const std::vector<azure_price_entry> table = [] {
    std::vector<azure_price_entry> t{
      {"Standard_B1s", 1, 1, 0, "", 0.0104, 0.0021},
      {"Standard_B2s", 2, 4, 0, "", 0.0416, 0.0083},
      {"Standard_D2s_v5", 2, 8, 0, "", 0.096, 0.0106},
      {"Standard_D4s_v5", 4, 16, 0, "", 0.192, 0.0211},
      {"Standard_D8s_v5", 8, 32, 0, "", 0.384, 0.0422},
      {"Standard_E2s_v5", 2, 16, 0, "", 0.126, 0.0139},
      {"Standard_E4s_v5", 4, 32, 0, "", 0.252, 0.0277},
      {"Standard_F2s_v2", 2, 4, 0, "", 0.0846, 0.0101},
      {"Standard_F4s_v2", 4, 8, 0, "", 0.169, 0.0203},
      {"Standard_NC4as_T4_v3", 4, 28, 1, "T4", 0.526, 0.0789},
    };
    return sorted_by_type(std::move(t));
  }();
  return table;
}

const azure_price_entry* azure_price_of(std::string_view size) {
  return find_price(azure_price_table(), size);
}

catalog azure_catalog(const provider_id& provider, const std::vector<azure_sku>& skus) {
  catalog out;
  if (skus.empty()) {
    for (auto* zone : {"1", "2", "3"})
      for (auto& e : azure_price_table())
        out.push_back(priced_offering(provider, zone, e, e.vcpus, e.memory_gib));
    return out;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& sku : skus) {
    auto* price = azure_price_of(sku.name);
    if (price == nullptr || sku.restricted)
      continue;
    std::set<std::string> restricted(sku.restricted_zones.begin(), sku.restricted_zones.end());
    for (auto& zone : sku.zones)
      if (restricted.count(zone) == 0 && seen.emplace(zone, sku.name).second)
        out.push_back(priced_offering(provider, zone, *price, sku.cpus, sku.memory_gib));
  }
  std::sort(out.begin(), out.end(), [](const offering& a, const offering& b) {
    return std::tie(a.zone, a.instance_type) < std::tie(b.zone, b.instance_type);
  });
  return out;
}

} // namespace styx
