#pragma once
// Placement policy, apart from any actor: which (provider, offering) a request should try,
// in order, and which offerings are blocklisted after a capacity or quota error.

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"
#include "messages/provision_request.hpp"

namespace styx {

/// cheapest, round_robin and least_loaded send every instance of a request at once. fastest
/// and cheapest_within are rate-aware: the supervisor splits a request over the providers'
/// create buckets (actors/placement_plan.hpp) and releases it in waves as they admit it.
enum class placement_policy : uint8_t {
  cheapest,        // the cheapest fitting offering (the default)
  round_robin,     // one provider after another, request by request
  least_loaded,    // instance by instance, the provider with the fewest live instances
  fastest,         // spread over every fitting offering to finish soonest
  cheapest_within, // the cheapest offerings first, spilling only as far as a deadline needs
};

const char* to_string(placement_policy x);
bool parse_placement_policy(const std::string& text, placement_policy& out);

/// The policies whose requests the supervisor splits and releases in waves.
inline bool is_rate_aware(placement_policy x) {
  return x == placement_policy::fastest || x == placement_policy::cheapest_within;
}

/// A span of time as a user writes it: "90", "90s", "1.5m", "2h" or "500ms" (plain numbers
/// are seconds). False, and `out` untouched, for anything else or a negative span.
bool parse_span(const std::string& text, duration& out);

/// (provider, zone, instance type, market): what a capacity error rules out for a while. With
/// an empty zone and instance type it stands for every offering of that provider (a region)
/// and market: what a quota error rules out, since quotas are an account's, per region.
struct offering_key {
  provider_id provider;
  std::string zone;
  std::string instance_type;
  market_kind market = market_kind::on_demand;

  /// The whole region and market of `k`.
  static offering_key region_of(const offering_key& k) {
    return offering_key{k.provider, {}, {}, k.market};
  }
  bool is_region() const { return zone.empty() && instance_type.empty(); }

  friend bool operator<(const offering_key& a, const offering_key& b) {
    return std::tie(a.provider, a.zone, a.instance_type, a.market)
           < std::tie(b.provider, b.zone, b.instance_type, b.market);
  }
};

/// Offerings that recently failed, each until its TTL ends (default 3 minutes). An offering is
/// blocked by its own entry or by its region's (offering_key::region_of).
class blocklist {
public:
  explicit blocklist(duration ttl = std::chrono::minutes(3)) : ttl_(ttl) {}
  void block(const offering_key& key, time_point now);
  bool blocked(const offering_key& key, time_point now) const;
  /// Forgets expired entries; returns how many are left.
  size_t expire(time_point now);
  /// The entries of `provider` still live at `now` (for metrics).
  size_t live_of(const provider_id& provider, time_point now) const;

private:
  duration ttl_;
  std::map<offering_key, time_point> until_;
};

/// What placement needs to know of one provider.
struct provider_view {
  provider_id id;
  const catalog* offerings = nullptr;
  int64_t load = 0; // live and requested instances placed there
};

struct candidate {
  size_t provider = 0; // index into the views
  offering offer;
};

/// Every offering that fits the request (shape, constraints, market and price cap) and is not
/// blocklisted, best first: by price (cheapest); one provider after another starting at
/// `cursor` (round_robin); by load (least_loaded). Within a provider, cheapest first.
std::vector<candidate> rank_candidates(const provision_request& req,
                                       const std::vector<provider_view>& providers,
                                       placement_policy policy, const blocklist& blocked,
                                       time_point now, size_t cursor = 0);

} // namespace styx
