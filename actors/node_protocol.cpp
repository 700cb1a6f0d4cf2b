#include "actors/node_protocol.hpp"

#include <caf/actor_system_config.hpp>

namespace styx {

void add_node_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<node_provider>("styx::node_provider")
    .add_message_type<node_providers>("std::vector<styx::node_provider>")
    .add_message_type<node_actor>("styx::node_actor");
}

} // namespace styx
