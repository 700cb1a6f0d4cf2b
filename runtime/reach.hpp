#pragma once
// What a command could not reach, said in one line per place, so that no command claims what
// it did not do. An instance is reached when its own provider (its full id, messages/ids.hpp)
// is registered with the engine; a live record on any other provider (a node that is down or
// not connected, a local aws region without credentials) is left exactly as it is.
//
//   auto missed = find_unreached(records, registered, unavailable, node_addresses);
//   for (auto& u : missed)
//     std::cerr << "styx: " << u.to_line() << '\n';
//   // styx: 20 instance(s) on node 127.0.0.1:7400 not reached; nothing changed for them
//
// Pure functions over values; no thread rules.

#include <map>
#include <string>
#include <vector>

#include "messages/instance_record.hpp"

namespace styx {

/// Why the provider of some records is not reached.
enum class unreached_reason {
  node_not_connected,      // the node that runs it did not answer at its address
  node_replaced,           // another node answers at its address now (a new state dir?)
  provider_not_served,     // its node answers, but serves no such provider now
  provider_unavailable,    // a local provider that could not be made (detail says why)
  provider_not_configured, // a local provider this engine was not given
};

const char* to_string(unreached_reason r);

/// A local provider the engine could not make, and why (engine_config::skip_unavailable).
struct unavailable_provider {
  provider_id id;
  std::string why;
};

/// The records of one node (all its providers) or of one local provider that were not reached.
struct unreached {
  unreached_reason reason = unreached_reason::node_not_connected;
  std::string where;  // "node 127.0.0.1:7400" (or "node <id>" when its address is unknown),
                      // or a local provider's "aws/us-east-1"
  std::string detail; // provider_unavailable: why; provider_not_served: its cloud/region
  std::vector<instance_id> instances;

  /// "20 instance(s) on node 127.0.0.1:7400 not reached; nothing changed for them"
  std::string to_line() const;
};

/// The live records with a cloud id whose provider is not in `registered`, grouped by node
/// (or by provider, for a local one or one whose node answers without it), in the order first
/// met. `node_addresses`: node id ->
/// "host:port" where it last answered (this process's connections over the remembered ones).
std::vector<unreached> find_unreached(const std::vector<instance_record>& records,
                                      const std::vector<provider_id>& registered,
                                      const std::vector<unavailable_provider>& unavailable,
                                      const std::map<std::string, std::string>& node_addresses);

} // namespace styx
