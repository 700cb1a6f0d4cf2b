#include "providers/gcp/gcp_prices.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace styx {

namespace {

std::vector<gcp_price_entry> make_table() {
  std::vector<gcp_price_entry> table = {
    // type, vCPUs, GiB, GPUs, GPU kind, on-demand, spot (USD/hour, us-central1, Linux)
    {"e2-micro", 2, 1, 0, "", 0.00838, 0.0025},
    {"e2-small", 2, 2, 0, "", 0.01675, 0.0050},
    {"e2-medium", 2, 4, 0, "", 0.03351, 0.0101},
    {"e2-standard-2", 2, 8, 0, "", 0.06701, 0.0201},
    {"e2-standard-4", 4, 16, 0, "", 0.13402, 0.0402},
    {"e2-standard-8", 8, 32, 0, "", 0.26805, 0.0804},
    {"e2-standard-16", 16, 64, 0, "", 0.53609, 0.1608},
    {"e2-standard-32", 32, 128, 0, "", 1.07219, 0.3216},
    {"e2-highcpu-2", 2, 2, 0, "", 0.04947, 0.0148},
    {"e2-highcpu-4", 4, 4, 0, "", 0.09894, 0.0297},
    {"e2-highcpu-8", 8, 8, 0, "", 0.19788, 0.0594},
    {"e2-highmem-2", 2, 16, 0, "", 0.09040, 0.0271},
    {"e2-highmem-4", 4, 32, 0, "", 0.18081, 0.0542},
    {"n1-standard-1", 1, 3.75, 0, "", 0.04749, 0.0100},
    {"n1-standard-2", 2, 7.5, 0, "", 0.09498, 0.0200},
    {"n1-standard-4", 4, 15, 0, "", 0.18997, 0.0400},
    {"n1-standard-8", 8, 30, 0, "", 0.37994, 0.0800},
    {"n2-standard-2", 2, 8, 0, "", 0.09712, 0.0235},
    {"n2-standard-4", 4, 16, 0, "", 0.19423, 0.0470},
    {"n2-standard-8", 8, 32, 0, "", 0.38847, 0.0940},
    {"n2-standard-16", 16, 64, 0, "", 0.77694, 0.1880},
    {"n2-highmem-2", 2, 16, 0, "", 0.13103, 0.0317},
    {"c2-standard-4", 4, 16, 0, "", 0.20880, 0.0505},
    {"c2-standard-8", 8, 32, 0, "", 0.41760, 0.1010},
    {"g2-standard-4", 4, 16, 1, "L4", 0.70683, 0.2121},
    {"g2-standard-8", 8, 32, 1, "L4", 0.85353, 0.2561},
    {"a2-highgpu-1g", 12, 85, 1, "A100", 3.67326, 1.1020},
  };
  return sorted_by_type(std::move(table));
}

} // namespace

const std::vector<gcp_price_entry>& gcp_price_table() {
  static const std::vector<gcp_price_entry> table = make_table();
  return table;
}

const gcp_price_entry* gcp_price_of(std::string_view machine_type) {
  return find_price(gcp_price_table(), machine_type);
}

catalog gcp_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const std::vector<gcp_machine_type>& described) {
  catalog out;
  std::set<std::string> in_region(zones.begin(), zones.end());
  if (described.empty()) {
    for (auto& zone : zones)
      for (auto& e : gcp_price_table())
        out.push_back(priced_offering(provider, zone, e, e.vcpus, e.memory_gib));
    return out;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& t : described) {
    auto* price = gcp_price_of(t.name);
    if (price == nullptr || in_region.count(t.zone) == 0 || !seen.emplace(t.zone, t.name).second)
      continue;
    out.push_back(priced_offering(provider, t.zone, *price, t.cpus > 0 ? t.cpus : price->vcpus,
                                t.memory_gib > 0 ? t.memory_gib : price->memory_gib));
  }
  std::sort(out.begin(), out.end(), [](const offering& a, const offering& b) {
    return std::tie(a.zone, a.instance_type) < std::tie(b.zone, b.instance_type);
  });
  return out;
}

} // namespace styx
