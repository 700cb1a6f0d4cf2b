#include "providers/local/local_catalog.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

namespace styx {

namespace {

/// 0.125, 0.25, ... doubling while below `top`, then `top` itself.
std::vector<double> ladder(double top) {
  top = std::floor(top * 1000) / 1000; // as its name says it
  std::vector<double> out;
  for (double x = 0.125; x < top; x *= 2)
    out.push_back(x);
  if (top > 0)
    out.push_back(top);
  return out;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(x * 1000) / 1000);
  return buf;
}

} // namespace

std::string local_type_name(local_size s) {
  return "local-" + number(s.cpus) + "c-" + number(s.memory_gib) + "g";
}

std::optional<local_size> parse_local_type(const std::string& name) {
  local_size s;
  int used = 0;
  if (std::sscanf(name.c_str(), "local-%lfc-%lfg%n", &s.cpus, &s.memory_gib, &used) != 2
      || static_cast<size_t>(used) != name.size() || !(s.cpus > 0) || !(s.memory_gib > 0))
    return std::nullopt;
  return s;
}

catalog local_catalog(const provider_id& id, local_size machine) {
  catalog out;
  for (double c : ladder(machine.cpus))
    for (double m : ladder(machine.memory_gib)) {
      offering o;
      o.provider = id;
      o.zone = id.region;
      o.instance_type = local_type_name({c, m});
      o.cpus = c;
      o.memory_gib = m;
      o.on_demand_price = 0.00001 * c + 0.000005 * m;
      o.spot_price = 0; // no spot market
      out.push_back(std::move(o));
    }
  return out;
}

} // namespace styx
