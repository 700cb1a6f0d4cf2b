#include "providers/sim/sim_catalog.hpp"

namespace styx {

const std::vector<sim_instance_type>& sim_instance_types() {
  static const std::vector<sim_instance_type> types{
    {"t3.micro", 2, 1, 0, "", 0.0104},
    {"t3.small", 2, 2, 0, "", 0.0208},
    {"t3.medium", 2, 4, 0, "", 0.0416},
    {"t3.large", 2, 8, 0, "", 0.0832},
    {"t3.xlarge", 4, 16, 0, "", 0.1664},
    {"m5.large", 2, 8, 0, "", 0.096},
    {"m5.xlarge", 4, 16, 0, "", 0.192},
    {"m5.2xlarge", 8, 32, 0, "", 0.384},
    {"m5.4xlarge", 16, 64, 0, "", 0.768},
    {"m5.8xlarge", 32, 128, 0, "", 1.536},
    {"c5.large", 2, 4, 0, "", 0.085},
    {"c5.xlarge", 4, 8, 0, "", 0.17},
    {"c5.2xlarge", 8, 16, 0, "", 0.34},
    {"c5.4xlarge", 16, 32, 0, "", 0.68},
    {"r5.large", 2, 16, 0, "", 0.126},
    {"r5.xlarge", 4, 32, 0, "", 0.252},
    {"r5.2xlarge", 8, 64, 0, "", 0.504},
    {"p3.2xlarge", 8, 61, 1, "V100", 3.06},
    {"g5.xlarge", 4, 16, 1, "A10G", 1.006},
    {"g5.12xlarge", 48, 192, 4, "A10G", 5.672},
  };
  return types;
}

const sim_instance_type* find_sim_instance_type(const std::string& name) {
  for (auto& t : sim_instance_types())
    if (name == t.name)
      return &t;
  return nullptr;
}

namespace {

uint64_t fnv1a(uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

} // namespace

double sim_spot_price(uint64_t seed, const std::string& zone, const sim_instance_type& type) {
  auto h = fnv1a(fnv1a(0xcbf29ce484222325ull, zone), type.name);
  auto u = static_cast<double>(splitmix64(h ^ splitmix64(seed)) >> 11) / 9007199254740992.0;
  return type.on_demand_price * (0.25 + 0.20 * u);
}

} // namespace styx
