#pragma once
// The engine side of distributed nodes: connect to each remote node (runtime/node.hpp), ask it
// for its providers and register every one with the supervisor exactly like a local provider
// (provider_atom, handle, id). A node's provider ids carry the node's id, so two nodes that
// serve the same cloud/region are two providers (README: "Running several nodes").
//
// One connector actor per node, non-blocking: the middleman's connect_atom, retried with
// exponential backoff (node_reconnect_backoff: 100 ms doubling to 5 s) while the node is
// unreachable. Connectors monitor the supervisor and end with it. Refuses plaintext to a
// non-loopback host.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
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

/// The same from the file's text; `where` begins each error ("nodes file PATH"). Throws
/// std::runtime_error with one line.
void parse_nodes_text(const std::string& text, const std::string& where,
                      std::vector<remote_node>& nodes, node_transport& transport);

/// Which node answered at which address, as the connectors learn it: the node id of the
/// providers it offers (messages/ids.hpp). Thread-safe: connector actors write (a short lock,
/// no I/O), the engine's caller thread reads. Shared (shared_ptr) by the engine and its
/// connectors; lives as long as the last of them.
class node_directory {
public:
  void answered(const remote_node& at, const std::string& node_id);
  /// Node id -> "host:port" where it answered last.
  std::map<std::string, std::string> addresses() const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, std::string> addresses_;
};

/// Spawns the connectors; blocks until every node's providers are registered or `wait` passed
/// (the connectors keep trying after that). Returns how many providers were registered.
/// A node's providers must all carry its node id (an older node's without one are refused);
/// `directory` (may be null) learns where each node answered. Throws std::runtime_error when a
/// node's host breaks the transport rules.
size_t connect_nodes(caf::actor_system& sys, const supervisor_actor& sup,
                     const std::vector<remote_node>& nodes, const node_transport& transport,
                     duration wait, std::shared_ptr<node_directory> directory = nullptr);

} // namespace styx
