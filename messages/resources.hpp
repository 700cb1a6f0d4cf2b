#pragma once
// What a request asks for: resources per instance, where it may run, and how it is paid.

#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace styx {

/// Ordered key/value tags, copied onto every cloud instance.
using tag_map = std::map<std::string, std::string>;

/// Minimum resources of one instance. Fluent: resources{}.cpus(4).memory_gib(16).
class resources {
public:
  double cpus() const { return cpus_; }
  double memory_gib() const { return memory_gib_; }
  int gpus() const { return gpus_; }
  const std::string& gpu_kind() const { return gpu_kind_; }

  resources& cpus(double x) { cpus_ = x; return *this; }
  resources& memory_gib(double x) { memory_gib_ = x; return *this; }
  resources& gpus(int x) { gpus_ = x; return *this; }
  resources& gpu_kind(std::string x) { gpu_kind_ = std::move(x); return *this; }

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, resources& x) {
    return f(caf::meta::type_name("resources"), x.cpus_, x.memory_gib_, x.gpus_, x.gpu_kind_);
  }

private:
  double cpus_ = 1;
  double memory_gib_ = 1;
  int gpus_ = 0;
  std::string gpu_kind_; // empty: any kind
};

/// Where instances may go. Each list empty means "any"; otherwise one of the listed.
struct placement {
  std::vector<std::string> providers; // cloud names: "sim", "aws"
  std::vector<std::string> regions;
  std::vector<std::string> zones;
  std::vector<std::string> instance_types;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement& x) {
  return f(caf::meta::type_name("placement"), x.providers, x.regions, x.zones,
           x.instance_types);
}

enum class market_kind : uint8_t { on_demand, spot };

inline const char* to_string(market_kind x) {
  return x == market_kind::spot ? "spot" : "on-demand";
}

struct market {
  market_kind kind = market_kind::on_demand;
  double max_price = 0; // USD per hour; 0: no cap
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, market& x) {
  return f(caf::meta::type_name("market"), x.kind, x.max_price);
}

} // namespace styx
