#pragma once
// What the engine knows of one instance: the row of `styx status` and of the store.

#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/cloud_types.hpp"
#include "messages/state_reason.hpp"

namespace styx {

struct instance_record {
  instance_id id;
  request_id request;
  std::string name;
  provider_id provider;
  std::string zone;
  std::string instance_type;
  market_kind market = market_kind::on_demand;
  std::string cloud_id;    // empty until the create call answered
  instance_state state = instance_state::requested;
  unix_ms since = 0;       // when it entered `state`
  state_reason reason = state_reason::none; // why it entered `state`
  tag_map tags;
  std::string last_error;  // the reason in words (an error, a cloud's code), or empty
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_record& x) {
  return f(caf::meta::type_name("instance_record"), x.id, x.request, x.name, x.provider, x.zone,
           x.instance_type, x.market, x.cloud_id, x.state, x.since, x.reason, x.tags, x.last_error);
}

/// A listed cloud instance as the record its adoption starts from: id and request from its
/// owner tags, the name from Name (else the cloud id), the user's tags without styx:* and Name.
instance_record record_of(const cloud_instance& ci, const provider_id& provider);

} // namespace styx
