#include "messages/registry.hpp"

#include <algorithm>

#include <caf/actor_system_config.hpp>
#include <caf/sec.hpp>

#include "messages/admission.hpp"
#include "messages/events.hpp"
#include "messages/protocol.hpp"
#include "messages/provision_request.hpp"
#include "messages/state_counts.hpp"
#include "messages/styx_error.hpp"

namespace styx {

void add_message_types(caf::actor_system_config& cfg) {
  // A styx error renders as its words alone (messages/styx_error.hpp).
  cfg.add_error_category(caf::detail::error_factory<styx_error>::category,
                         [](uint8_t code, caf::atom_value, const caf::message& context) {
                           if (context.match_elements<std::string>())
                             return context.get_as<std::string>(0);
                           return std::string{to_string(static_cast<styx_error>(code))};
                         });
  // CAF's own errors in plain words too, never a dump: "cannot connect to node
  // (ip_connect failed, 127.0.0.1, 9)" where CAF says
  // system_error(cannot_connect_to_node, ("ip_connect failed", "127.0.0.1", 9)).
  cfg.add_error_category(caf::atom("system"),
                         [](uint8_t code, caf::atom_value, const caf::message& context) {
                           std::string out = to_string(static_cast<caf::sec>(code));
                           std::replace(out.begin(), out.end(), '_', ' ');
                           if (context.empty())
                             return out;
                           out += " (";
                           for (size_t i = 0; i < context.size(); ++i) {
                             if (i > 0)
                               out += ", ";
                             out += context.match_element<std::string>(i)
                                      ? context.get_as<std::string>(i)
                                      : context.cvals()->stringify(i);
                           }
                           return out + ")";
                         });
  cfg.add_message_type<instance_id>("styx::instance_id")
    .add_message_type<request_id>("styx::request_id")
    .add_message_type<provider_id>("styx::provider_id")
    .add_message_type<resources>("styx::resources")
    .add_message_type<placement>("styx::placement")
    .add_message_type<market>("styx::market")
    .add_message_type<tag_map>("styx::tag_map")
    .add_message_type<provision_request>("styx::provision_request")
    .add_message_type<instance_state>("styx::instance_state")
    .add_message_type<state_reason>("styx::state_reason")
    .add_message_type<cloud_error>("styx::cloud_error")
    .add_message_type<launch_spec>("styx::launch_spec")
    .add_message_type<cloud_instance>("styx::cloud_instance")
    .add_message_type<offering>("styx::offering")
    .add_message_type<instance_record>("styx::instance_record")
    .add_message_type<instance_state_changed>("styx::instance_state_changed")
    .add_message_type<instance_delta>("styx::instance_delta")
    .add_message_type<instance_events>("styx::instance_events")
    .add_message_type<state_counts>("styx::state_counts")
    .add_message_type<request_progress>("styx::request_progress")
    .add_message_type<instance_failure>("styx::instance_failure")
    .add_message_type<request_done>("styx::request_done")
    .add_message_type<provider_returned>("styx::provider_returned")
    .add_message_type<create_instance>("styx::create_instance")
    .add_message_type<change_instance>("styx::change_instance")
    .add_message_type<instance_update>("styx::instance_update")
    .add_message_type<list_instances>("styx::list_instances")
    .add_message_type<provider_stats>("styx::provider_stats")
    .add_message_type<admission_state>("styx::admission_state");
}

} // namespace styx
