#pragma once
// The typed interface a Styx node publishes over CAF networking. A node runs provider actors
// (each with its own cloud and credentials) in its own process; an engine connects to it, asks
// for its providers and registers every one with its supervisor like a local one.
//
// Only actor handles and protocol messages cross the wire: credentials stay on the node.
//
//   engine --providers_atom--> node          (over the middleman, TLS unless --insecure)
//   node   --node_providers--> engine
//   engine: supervisor <- provider_atom, handle, id  (for each)

#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/protocol.hpp"

namespace styx {

/// The provider actors a node offers; every id's `node` is the node's id (runtime/node.hpp).
using node_providers = std::vector<provider_ref>;

/// What a node publishes.
using node_actor = caf::typed_actor<caf::replies_to<providers_atom>::with<node_providers>>;

/// Registers node_actor (same name on every node; add_actor_types registers the rest).
void add_node_types(caf::actor_system_config& cfg);

} // namespace styx
