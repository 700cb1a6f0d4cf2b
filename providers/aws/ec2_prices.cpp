#include "providers/aws/ec2_prices.hpp"

#include <algorithm>
#include <tuple>

namespace styx {

namespace {

std::vector<ec2_price_entry> make_table() {
  std::vector<ec2_price_entry> table = {
    // type, vCPUs, GiB, GPUs, GPU kind, USD/hour (us-east-1, Linux, on-demand)
    {"t3.nano", 2, 0.5, 0, "", 0.0052},
    {"t3.micro", 2, 1, 0, "", 0.0104},
    {"t3.small", 2, 2, 0, "", 0.0208},
    {"t3.medium", 2, 4, 0, "", 0.0416},
    {"t3.large", 2, 8, 0, "", 0.0832},
    {"t3.xlarge", 4, 16, 0, "", 0.1664},
    {"t3.2xlarge", 8, 32, 0, "", 0.3328},
    {"m5.large", 2, 8, 0, "", 0.096},
    {"m5.xlarge", 4, 16, 0, "", 0.192},
    {"m5.2xlarge", 8, 32, 0, "", 0.384},
    {"m5.4xlarge", 16, 64, 0, "", 0.768},
    {"m5.8xlarge", 32, 128, 0, "", 1.536},
    {"m5.12xlarge", 48, 192, 0, "", 2.304},
    {"m5.16xlarge", 64, 256, 0, "", 3.072},
    {"c5.large", 2, 4, 0, "", 0.085},
    {"c5.xlarge", 4, 8, 0, "", 0.17},
    {"c5.2xlarge", 8, 16, 0, "", 0.34},
    {"c5.4xlarge", 16, 32, 0, "", 0.68},
    {"c5.9xlarge", 36, 72, 0, "", 1.53},
    {"c5.12xlarge", 48, 96, 0, "", 2.04},
    {"c5.18xlarge", 72, 144, 0, "", 3.06},
    {"r5.large", 2, 16, 0, "", 0.126},
    {"r5.xlarge", 4, 32, 0, "", 0.252},
    {"r5.2xlarge", 8, 64, 0, "", 0.504},
    {"r5.4xlarge", 16, 128, 0, "", 1.008},
    {"r5.8xlarge", 32, 256, 0, "", 2.016},
    {"r5.12xlarge", 48, 384, 0, "", 3.024},
    {"r5.16xlarge", 64, 512, 0, "", 4.032},
    {"p3.2xlarge", 8, 61, 1, "V100", 3.06},
    {"p3.8xlarge", 32, 244, 4, "V100", 12.24},
    {"p3.16xlarge", 64, 488, 8, "V100", 24.48},
    {"g5.xlarge", 4, 16, 1, "A10G", 1.006},
    {"g5.2xlarge", 8, 32, 1, "A10G", 1.212},
    {"g5.4xlarge", 16, 64, 1, "A10G", 1.624},
    {"g5.8xlarge", 32, 128, 1, "A10G", 2.448},
    {"g5.12xlarge", 48, 192, 4, "A10G", 5.672},
    {"g5.16xlarge", 64, 256, 1, "A10G", 4.096},
    {"g5.24xlarge", 96, 384, 4, "A10G", 8.144},
    {"g5.48xlarge", 192, 768, 8, "A10G", 16.288},
  };
  std::sort(table.begin(), table.end(), [](auto& a, auto& b) {
    return std::string_view{a.instance_type} < std::string_view{b.instance_type};
  });
  return table;
}

offering make_offering(const provider_id& provider, const std::string& zone,
                       const ec2_price_entry& price, const ec2_spot_prices& spot) {
  offering result;
  result.provider = provider;
  result.zone = zone;
  result.instance_type = price.instance_type;
  result.cpus = price.vcpus;
  result.memory_gib = price.memory_gib;
  result.gpus = price.gpus;
  result.gpu_kind = price.gpu_kind;
  result.on_demand_price = price.on_demand;
  if (auto i = spot.find({result.instance_type, zone}); i != spot.end())
    result.spot_price = i->second;
  return result;
}

template <class T>
bool allowed(const std::vector<T>& list, const T& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

} // namespace

const std::vector<ec2_price_entry>& ec2_price_table() {
  static const std::vector<ec2_price_entry> table = make_table();
  return table;
}

const ec2_price_entry* ec2_price_of(std::string_view instance_type) {
  auto& table = ec2_price_table();
  auto i = std::lower_bound(table.begin(), table.end(), instance_type,
                            [](auto& e, std::string_view t) { return e.instance_type < t; });
  return i != table.end() && i->instance_type == instance_type ? &*i : nullptr;
}

catalog ec2_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const ec2_spot_prices& spot) {
  catalog result;
  for (auto& zone : zones)
    for (auto& price : ec2_price_table())
      result.push_back(make_offering(provider, zone, price, spot));
  return result;
}

catalog ec2_catalog(const provider_id& provider, const std::vector<std::string>& zones,
                    const ec2_spot_prices& spot,
                    const std::vector<ec2_instance_type_info>& described) {
  catalog result;
  for (auto& zone : zones) {
    for (auto& info : described) {
      auto price = ec2_price_of(info.instance_type);
      if (price == nullptr)
        continue;
      auto x = make_offering(provider, zone, *price, spot);
      x.cpus = info.vcpus;
      x.memory_gib = info.memory_gib;
      x.gpus = info.gpus;
      if (!info.gpu_kind.empty())
        x.gpu_kind = info.gpu_kind;
      result.push_back(std::move(x));
    }
  }
  return result;
}

const offering* cheapest_fit(const catalog& offerings, const resources& need,
                             market_kind market, const placement& where) {
  const offering* best = nullptr;
  auto key = [market](const offering& x) {
    return std::make_tuple(x.price(market), x.cpus, x.memory_gib, std::cref(x.instance_type),
                           std::cref(x.zone));
  };
  for (auto& x : offerings) {
    if (x.on_demand_price <= 0 || x.price(market) <= 0 || !x.fits(need))
      continue;
    if (!allowed(where.providers, x.provider.cloud) || !allowed(where.regions, x.provider.region)
        || !allowed(where.zones, x.zone) || !allowed(where.instance_types, x.instance_type))
      continue;
    if (best == nullptr || key(x) < key(*best))
      best = &x;
  }
  return best;
}

} // namespace styx
