#pragma once
// The supervisor: takes provision requests, places them on providers, spawns the instance
// actors and follows every one of them to a result.
//
// - Placement: rank_candidates() over the providers' catalogs (actors/placement.hpp). Every
//   instance of a request goes to the best candidate; the provider coalesces their creates.
// - Failover: a capacity or quota error blocklists (provider, zone, type, market) for a TTL and
//   places the instance on the next candidate; with none left it fails with the reasons.
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

struct supervisor_config {
  std::string engine_id;                      // the value of every instance's styx:engine tag
  placement_policy policy = placement_policy::cheapest;
  duration blocklist_ttl = std::chrono::minutes(3);
  duration progress_interval = milliseconds(100);
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
