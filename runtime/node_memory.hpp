#pragma once
// Which nodes an engine has used, so that a later process (`styx status --refresh`, `stop`,
// `start`, `down`, `reconcile`) reaches the instances on them again, as <state_dir>/providers
// does for aws regions (runtime/provider_memory.hpp). Kept in <state_dir>/nodes, a nodes file
// (runtime/node_client.hpp's load_nodes_file reads it) plus the id each node answered with:
//
//   # nodes styx has used from this state dir (--nodes FILE overrides them)
//   nodes: [127.0.0.1:7400, 127.0.0.1:7401]
//   insecure: true                       # or tls: {cafile, certificate, key}, absolute paths
//   node_ids: {<node id>: 127.0.0.1:7400}
//
// Nodes accumulate (every address used stays, in first-use order); the transport is the last
// one used (CAF has one TLS setup per process); an id maps to where it last answered.
// Written through a temporary file and a rename, by the thread that starts or stops an
// engine, never inside an actor.

#include <map>
#include <string>
#include <vector>

#include "runtime/node.hpp"

namespace styx {

struct node_memory {
  std::vector<remote_node> nodes;
  node_transport transport;
  std::map<std::string, std::string> addresses; // node id -> "host:port" where it answered

  bool empty() const { return nodes.empty(); }
};

/// The remembered nodes; empty when there is no file. Throws engine_error on a malformed file.
node_memory load_node_memory(const std::string& state_dir);

/// Adds `nodes` (and `addresses`) to the file and sets its transport to `transport` (relative
/// TLS paths made absolute). Does nothing when nothing would change. Throws engine_error when
/// the file cannot be written.
void remember_nodes(const std::string& state_dir, const std::vector<remote_node>& nodes,
                    const node_transport& transport,
                    const std::map<std::string, std::string>& addresses);

} // namespace styx
