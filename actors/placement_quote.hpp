#pragma once
// What the supervisor expects of a request before it starts: how it would split it over the
// providers and how long their create buckets take for it (actors/placement_plan.hpp, the
// same computation the placement uses). `styx up` prints it; `--json` carries it.
//
// A plain value (serialisable); it describes the providers' buckets at one moment.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/placement.hpp"
#include "messages/ids.hpp"

namespace styx {

/// One provider of a quote, with its best fitting offering and its share.
struct quote_lane {
  provider_id provider;
  std::string zone;
  std::string instance_type;
  double price = 0;    // USD per hour of one instance
  int64_t share = 0;   // instances it would get
  double seconds = 0;  // until its share is admitted by its buckets; negative: never
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote_lane& x) {
  return f(caf::meta::type_name("quote_lane"), x.provider, x.zone, x.instance_type, x.price,
           x.share, x.seconds);
}

struct placement_quote {
  placement_policy policy = placement_policy::cheapest;
  double within_seconds = 0;      // cheapest_within's deadline
  int64_t count = 0;
  std::vector<quote_lane> lanes;  // every fitting provider, cheapest first
  double seconds = 0;             // until all are created; negative: never
  bool deadline_met = true;
  double spend_per_hour = 0;
  double cheapest_spend_per_hour = 0; // all of them at the cheapest offering
  std::string error;              // why nothing fits; the rest is empty then

  /// Providers with a share.
  int used() const;
  /// One line: "6000 on 3 providers, expected all created in ~25 s (fastest)".
  std::string summary() const;
  /// One JSON object.
  std::string to_json() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_quote& x) {
  return f(caf::meta::type_name("placement_quote"), x.policy, x.within_seconds, x.count, x.lanes,
           x.seconds, x.deadline_met, x.spend_per_hour, x.cheapest_spend_per_hour, x.error);
}

} // namespace styx
