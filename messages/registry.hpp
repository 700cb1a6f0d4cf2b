#pragma once
// Registers every message type with an actor system config, under the same name on every
// node. Call once per actor_system_config, before the system starts.

namespace caf {
class actor_system_config;
} // namespace caf

namespace styx {

void add_message_types(caf::actor_system_config& cfg);

} // namespace styx
