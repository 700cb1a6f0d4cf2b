#pragma once
// The simulated cloud's instance types: a fixed table with EC2's us-east-1 on-demand Linux
// list prices, and a spot price per zone that is a deterministic 25-45 % of on-demand
// (a function of the seed, the zone and the type only).

#include <cstdint>
#include <string>
#include <vector>

namespace styx {

struct sim_instance_type {
  const char* name;
  double cpus;
  double memory_gib;
  int gpus;
  const char* gpu_kind; // "" when gpus == 0
  double on_demand_price; // USD per hour
};

/// Every instance type the simulated cloud offers, in every zone.
const std::vector<sim_instance_type>& sim_instance_types();

/// The type called `name`, or nullptr.
const sim_instance_type* find_sim_instance_type(const std::string& name);

/// The spot price of `type` in `zone`: 25-45 % of on-demand, fixed for a given seed.
double sim_spot_price(uint64_t seed, const std::string& zone, const sim_instance_type& type);

} // namespace styx
