#pragma once
// Identifiers: instances and requests carry 128-bit UUIDs from an injected generator;
// a provider is one cloud in one region ("sim/us-east-1").

#include <string>

#include <caf/meta/type_name.hpp>

#include "common/uuid.hpp"

namespace styx {

struct instance_id : uuid {};
struct request_id : uuid {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_id& x) {
  return f(caf::meta::type_name("instance_id"), x.hi, x.lo);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_id& x) {
  return f(caf::meta::type_name("request_id"), x.hi, x.lo);
}

struct provider_id {
  std::string cloud;  // "sim", "aws", "gcp", "azure", "k8s", "local"
  std::string region; // "us-east-1"

  std::string to_string() const { return cloud + "/" + region; }
  friend bool operator==(const provider_id& a, const provider_id& b) {
    return a.cloud == b.cloud && a.region == b.region;
  }
  friend bool operator!=(const provider_id& a, const provider_id& b) { return !(a == b); }
  friend bool operator<(const provider_id& a, const provider_id& b) {
    return a.cloud != b.cloud ? a.cloud < b.cloud : a.region < b.region;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_id& x) {
  return f(caf::meta::type_name("provider_id"), x.cloud, x.region);
}

} // namespace styx
