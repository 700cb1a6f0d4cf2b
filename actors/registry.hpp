#pragma once
// Registers every message type and actor handle type of the actor protocols, under the same
// name on every node (messages/registry.hpp plus what actors/ adds).

namespace caf {
class actor_system_config;
} // namespace caf

namespace styx {

void add_actor_types(caf::actor_system_config& cfg);

} // namespace styx
