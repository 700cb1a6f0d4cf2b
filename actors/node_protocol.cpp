#include "actors/node_protocol.hpp"

#include <caf/actor_system_config.hpp>

namespace styx {

void add_node_types(caf::actor_system_config& cfg) {
  // provider_ref and its vector: add_actor_types (the supervisor answers with them too).
  cfg.add_message_type<node_actor>("styx::node_actor");
}

} // namespace styx
