#pragma once
// The engine side of distributed nodes: connect to each remote node (runtime/node.hpp), ask it
// for its providers and register every one with the supervisor exactly like a local provider
// (provider_atom, handle, id).
//
// One connector actor per node, non-blocking: the middleman's connect_atom, retried with
// exponential backoff (node_reconnect_backoff: 100 ms doubling to 5 s) while the node is
// unreachable. Connectors monitor the supervisor and end with it. Refuses plaintext to a
// non-loopback host.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/protocol.hpp"
#include "common/backoff.hpp"
#include "common/time.hpp"
#include "runtime/node.hpp"

namespace styx {

/// How a connector waits before trying an unreachable node again: 100 ms doubling to 5 s, for
/// as long as the supervisor lives. No jitter: one engine connects to few nodes, so there is no
/// herd to spread out, and the log's "retrying in" stays predictable.
inline constexpr backoff_policy node_reconnect_backoff{
  milliseconds(100), seconds(5), std::numeric_limits<int>::max(), jitter_mode::none};

/// Reads a nodes file: a YAML list of "host:port" strings, or a map
///   nodes: [host:port, ...]
///   tls: {cafile: ..., certificate: ..., key: ...}
///   insecure: true
/// Throws std::runtime_error.
void load_nodes_file(const std::string& path, std::vector<remote_node>& nodes,
                     node_transport& transport);

/// Spawns the connectors; blocks until every node's providers are registered or `wait` passed
/// (the connectors keep trying after that). Returns how many providers were registered.
/// Throws std::runtime_error when a node's host breaks the transport rules.
size_t connect_nodes(caf::actor_system& sys, const supervisor_actor& sup,
                     const std::vector<remote_node>& nodes, const node_transport& transport,
                     duration wait);

} // namespace styx
