#include "actors/registry.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/protocol.hpp"
#include "messages/registry.hpp"

namespace styx {

void add_actor_types(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  cfg.add_message_type<change_op>("styx::change_op")
    .add_message_type<withdraw_creates>("styx::withdraw_creates")
    .add_message_type<selector>("styx::selector")
    .add_message_type<placement_failed>("styx::placement_failed")
    .add_message_type<catalog>("styx::catalog")
    .add_message_type<std::vector<cloud_instance>>("std::vector<styx::cloud_instance>")
    .add_message_type<std::vector<instance_record>>("std::vector<styx::instance_record>")
    .add_message_type<std::vector<provider_stats>>("std::vector<styx::provider_stats>")
    .add_message_type<placement_policy>("styx::placement_policy")
    .add_message_type<quote_lane>("styx::quote_lane")
    .add_message_type<placement_quote>("styx::placement_quote")
    .add_message_type<provider_actor>("styx::provider_actor")
    .add_message_type<provider_ref>("styx::provider_ref")
    .add_message_type<std::vector<provider_ref>>("std::vector<styx::provider_ref>")
    .add_message_type<instance_actor>("styx::instance_actor")
    .add_message_type<supervisor_actor>("styx::supervisor_actor");
}

} // namespace styx
