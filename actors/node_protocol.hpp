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
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/protocol.hpp"

namespace styx {

using providers_atom = caf::atom_constant<caf::atom("providers")>;

/// One provider actor a node offers.
struct node_provider {
  provider_id id;
  provider_actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_provider& x) {
  return f(caf::meta::type_name("node_provider"), x.id, x.handle);
}

using node_providers = std::vector<node_provider>;

/// What a node publishes.
using node_actor = caf::typed_actor<caf::replies_to<providers_atom>::with<node_providers>>;

/// Registers node_provider, node_providers and node_actor (same names on every node).
void add_node_types(caf::actor_system_config& cfg);

} // namespace styx
