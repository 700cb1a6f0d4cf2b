#include "runtime/reach.hpp"

#include <algorithm>
#include <set>

namespace styx {

const char* to_string(unreached_reason r) {
  switch (r) {
    case unreached_reason::node_not_connected: return "node not connected";
    case unreached_reason::node_replaced: return "another node answers at its address";
    case unreached_reason::provider_not_served: return "its node no longer serves it";
    case unreached_reason::provider_unavailable: return "provider unavailable";
    case unreached_reason::provider_not_configured: return "not configured here";
  }
  return "?";
}

std::string unreached::to_line() const {
  auto line = std::to_string(instances.size()) + " instance(s) on " + where + " not reached";
  switch (reason) {
    case unreached_reason::node_not_connected:
      break;
    case unreached_reason::node_replaced:
      line += " (another node answers there now: was it restarted on another state dir?)";
      break;
    case unreached_reason::provider_not_served:
      line += " (the node answers but no longer serves " + detail + ")";
      break;
    case unreached_reason::provider_unavailable:
      line += " (" + detail + ")";
      break;
    case unreached_reason::provider_not_configured:
      line += " (" + std::string(to_string(reason)) + ")";
      break;
  }
  return line + "; nothing changed for them";
}

std::vector<unreached> find_unreached(const std::vector<instance_record>& records,
                                      const std::vector<provider_id>& registered,
                                      const std::vector<unavailable_provider>& unavailable,
                                      const std::map<std::string, std::string>& node_addresses) {
  std::set<provider_id> reached(registered.begin(), registered.end());
  std::set<std::string> connected_nodes;     // the nodes of registered providers
  std::set<std::string> connected_addresses; // where they answer now
  for (auto& p : registered) {
    if (p.is_local())
      continue;
    connected_nodes.insert(p.node);
    if (auto a = node_addresses.find(p.node); a != node_addresses.end())
      connected_addresses.insert(a->second);
  }
  std::vector<unreached> out;
  std::map<std::string, size_t> group_of; // node id or local provider text -> index in out
  for (auto& r : records) {
    if (!is_live(r.state) || r.cloud_id.empty() || reached.count(r.provider) > 0)
      continue;
    bool served_elsewhere = !r.provider.is_local() && connected_nodes.count(r.provider.node) > 0;
    // One line per node, or per provider when its node answers or it is local.
    auto key = r.provider.is_local() || served_elsewhere ? r.provider.to_string()
                                                         : "@" + r.provider.node;
    auto [at, fresh] = group_of.emplace(key, out.size());
    if (fresh) {
      unreached u;
      if (!r.provider.is_local()) {
        auto a = node_addresses.find(r.provider.node);
        u.where = "node " + (a != node_addresses.end() ? a->second : r.provider.node);
        if (served_elsewhere) {
          u.reason = unreached_reason::provider_not_served;
          u.detail = r.provider.name();
        } else if (a != node_addresses.end() && connected_addresses.count(a->second) > 0) {
          u.reason = unreached_reason::node_replaced;
        } else {
          u.reason = unreached_reason::node_not_connected;
        }
      } else {
        u.where = r.provider.to_string();
        auto why = std::find_if(unavailable.begin(), unavailable.end(),
                                [&](const unavailable_provider& x) { return x.id == r.provider; });
        u.reason = why != unavailable.end() ? unreached_reason::provider_unavailable
                                            : unreached_reason::provider_not_configured;
        if (why != unavailable.end())
          u.detail = why->why;
      }
      out.push_back(std::move(u));
    }
    out[at->second].instances.push_back(r.id);
  }
  return out;
}

} // namespace styx
