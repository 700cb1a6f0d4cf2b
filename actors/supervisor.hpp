#pragma once
// The supervisor: takes provision requests, places them on providers, spawns the instance
// actors and follows every one of them to a result.
//
// - Placement: rank_candidates() over the providers' catalogs (actors/placement.hpp). Every
//   instance of a request goes to the best candidate; the provider coalesces their creates.
//   Under a rate-aware policy (fastest, cheapest-within) the request is split over the
//   providers' create buckets instead and released in waves (actors/supervisor_release.cpp).
// - Failover: a capacity error blocklists (provider, zone, type, market) for a TTL, a quota
//   error the provider's whole region and market, and the instance goes to the next
//   candidate; with none left it fails with the reasons. A new block withdraws that
//   provider's creates for the offering that have not gone out (withdraw_creates): they fail
//   over at once, without their calls.
// - A request is done when each of its instances is running or failed. Fewer running than its
//   min_count: every instance of it is terminated (rolled back) and it fails with all reasons.
// - A spot preemption of a running instance spawns a replacement on the next candidate.
// - A provider that goes down (its node died or froze): what was in flight on it is replaced
//   elsewhere; running and stopped instances keep their last known state. When it returns,
//   its cloud is matched to the records (provider_returned): kept instances are followed
//   again, instances replaced meanwhile are terminated, vanished ones are marked failed.
// - Events (instance_state_changed, request_progress, request_done) go to the subscribers.

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/instance.hpp"
#include "actors/placement.hpp"
#include "actors/protocol.hpp"

namespace styx {

/// How a rate-aware supervisor releases what it holds back: on every tick it tops each
/// provider up to what its create buckets admit within `horizon` (tokens + refill x horizon,
/// less what already waits there), in waves of at least `min_wave` of its refill, so that a
/// bucket never runs dry and a wave is worth a call. A plain value, part of the supervisor's
/// config.
struct wave_config {
  duration horizon = seconds(2);
  duration min_wave = milliseconds(500);
  duration admission_timeout = seconds(1); // a provider that does not answer admits nothing
  // cheapest_within plans to have all admitted this much before the deadline (at most a tenth
  // of it): the last creates still take their call's latency, and a tick may come late.
  duration deadline_margin = seconds(1);
};

struct supervisor_config {
  std::string engine_id;                      // the value of every instance's styx:engine tag
  placement_policy policy = placement_policy::cheapest;
  duration within{};                          // cheapest_within: from a request's start
  wave_config waves;                          // rate-aware policies
  duration blocklist_ttl = std::chrono::minutes(3);
  duration progress_interval = milliseconds(100);
  // An instance pending longer than this is given up: terminated, with "pending timeout".
  // Zero: never.
  duration pending_timeout = std::chrono::minutes(10);
  instance_config instance;
  std::shared_ptr<uuid_generator> ids;        // instance and request ids
  int replacement_factor = 2;                 // preemption replacements per request, x count
  // How long adopt() waits for a provider's listing. A provider that goes down first counts
  // as answered at once: a remote request in flight when its node is cut off is never
  // answered, and this bounds what nothing else would.
  duration list_timeout = std::chrono::minutes(5);
};

supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg);

} // namespace styx
