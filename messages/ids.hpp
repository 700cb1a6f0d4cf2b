#pragma once
// Identifiers: instances and requests carry 128-bit UUIDs from an injected generator;
// a provider is one cloud in one region where it lives ("sim/us-east-1", "sim/us-east-1@<node>").

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

/// Which provider: one cloud in one region, and where that provider lives. `node` is empty for
/// a provider of this engine's own process (its simulated cloud lives in the engine's state
/// dir, its aws credentials are the engine's); else it is the durable id of the node that runs
/// it (`<node state dir>/node-id`, new on every start of a node without a state dir). So two
/// nodes serving "sim/us-east-1" are two providers, a node's simulated cloud is never taken
/// for the engine's own, and a node restarted on another state dir is another provider.
/// Text form (store, logs, JSON): "sim/us-east-1" or "sim/us-east-1@<node id>".
struct provider_id {
  std::string cloud;  // "sim", "aws", "gcp", "azure", "k8s", "local"
  std::string region; // "us-east-1"
  std::string node = {}; // empty: this engine's own; else the node's id

  bool is_local() const { return node.empty(); }
  /// cloud/region, the name placement and `--provider`/`--region` filter on.
  std::string name() const { return cloud + "/" + region; }
  std::string to_string() const { return node.empty() ? name() : name() + "@" + node; }
  /// The inverse of to_string(); text without '/' is a cloud without a region.
  static provider_id parse(const std::string& text) {
    provider_id id;
    auto at = text.find('@');
    auto base = text.substr(0, at);
    if (at != std::string::npos)
      id.node = text.substr(at + 1);
    auto slash = base.find('/');
    id.cloud = base.substr(0, slash);
    if (slash != std::string::npos)
      id.region = base.substr(slash + 1);
    return id;
  }
  friend bool operator==(const provider_id& a, const provider_id& b) {
    return a.cloud == b.cloud && a.region == b.region && a.node == b.node;
  }
  friend bool operator!=(const provider_id& a, const provider_id& b) { return !(a == b); }
  friend bool operator<(const provider_id& a, const provider_id& b) {
    if (a.cloud != b.cloud)
      return a.cloud < b.cloud;
    return a.region != b.region ? a.region < b.region : a.node < b.node;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_id& x) {
  return f(caf::meta::type_name("provider_id"), x.cloud, x.region, x.node);
}

} // namespace styx
