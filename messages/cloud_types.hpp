#pragma once
// What crosses between the engine and a cloud: the launch spec of a batch, an instance as the
// cloud sees it, and an offering from a provider's catalog.

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "common/time.hpp"
#include "messages/ids.hpp"
#include "messages/instance_state.hpp"
#include "messages/resources.hpp"
#include "messages/state_reason.hpp"

namespace styx {

/// Everything a create call needs besides the per-instance names. Creates with equal specs
/// are coalesced into one API call.
struct launch_spec {
  std::string instance_type;
  std::string zone;
  market_kind market = market_kind::on_demand;
  double max_price = 0;
  std::string image;
  tag_map tags; // request tags plus the engine's ownership tags

  friend bool operator==(const launch_spec& a, const launch_spec& b) {
    return a.instance_type == b.instance_type && a.zone == b.zone && a.market == b.market
           && a.max_price == b.max_price && a.image == b.image && a.tags == b.tags;
  }
  friend bool operator<(const launch_spec& a, const launch_spec& b);
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, launch_spec& x) {
  return f(caf::meta::type_name("launch_spec"), x.instance_type, x.zone, x.market, x.max_price,
           x.image, x.tags);
}

/// The engine's ownership tags: every instance carries them, so it can always be found again.
namespace ownership_tag {
constexpr const char* engine = "styx:engine";
constexpr const char* request = "styx:request";
constexpr const char* instance = "styx:instance";
constexpr const char* name = "Name";
} // namespace ownership_tag

/// One instance as the cloud reports it.
struct cloud_instance {
  std::string cloud_id;          // "i-0abc...", or the sim's id
  std::string zone;
  std::string instance_type;
  market_kind market = market_kind::on_demand;
  instance_state state = instance_state::pending; // mapped from the cloud's own state
  state_reason reason = state_reason::none; // why it stopped or ended, when the cloud says
  std::string reason_code;       // the cloud's own words for it (EC2 stateReason/code)
  tag_map tags;
  unix_ms launched_at = 0;
  // Where the create call put it, for clouds that identify a batch's instances by the call's
  // idempotency token and their index in it (EC2: ClientToken, amiLaunchIndex). Empty / -1
  // for clouds that name each instance after its engine id.
  std::string client_token;
  int32_t launch_index = -1;

  /// The engine's instance id from the ownership tag, empty if untagged.
  instance_id owner_instance() const;
  request_id owner_request() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_instance& x) {
  return f(caf::meta::type_name("cloud_instance"), x.cloud_id, x.zone, x.instance_type, x.market,
           x.state, x.reason, x.reason_code, x.tags, x.launched_at, x.client_token, x.launch_index);
}

/// True when `tags` has every key of `filter` with its value (a list's tag filter).
bool tags_match(const tag_map& tags, const tag_map& filter);

/// One way to buy capacity: an instance type in a zone, with its prices.
struct offering {
  provider_id provider;
  std::string zone;
  std::string instance_type;
  double cpus = 0;
  double memory_gib = 0;
  int gpus = 0;
  std::string gpu_kind;
  double on_demand_price = 0; // USD per hour
  double spot_price = 0;      // USD per hour; 0: no spot market

  double price(market_kind m) const { return m == market_kind::spot ? spot_price : on_demand_price; }
  bool fits(const resources& r) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offering& x) {
  return f(caf::meta::type_name("offering"), x.provider, x.zone, x.instance_type, x.cpus,
           x.memory_gib, x.gpus, x.gpu_kind, x.on_demand_price, x.spot_price);
}

using catalog = std::vector<offering>;

} // namespace styx
