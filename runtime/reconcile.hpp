#pragma once
// Crash-safe reconciliation: what the clouds hold (listed by the engine's ownership tag)
// against what the store remembers. Decided without I/O:
//
// assign_owners() first gives every live listed instance its engine instance id. Identity
// comes from the create call: a cloud that names instances (slot_identity::name) carries the
// id as its styx:instance tag; an EC2 batch's instance carries the shared tags, the call's
// ClientToken and its amiLaunchIndex, and the intent journal maps (token, index) to the slot's
// id. Nothing is written to the cloud: the listing is completed in memory.
//
// Listings are per provider, and a provider decides only for what is its own: a record, an
// intent or a cloud id belongs to the provider with its full id (messages/ids.hpp), so a cloud
// of the same cloud/region elsewhere (another node, this engine's own) never answers for it. A
// provider that did not answer (unreachable, not registered, its listing failed) has no
// listing, and nothing on it is decided: its records stay as they are.
//
// plan_reconcile() then decides:
//   - a live cloud instance of a live request is adopted, up to the request's count;
//   - the surplus of a request (more live instances than its count, e.g. a create retried
//     after a timeout on a cloud that ignores client tokens) is terminated: instances the
//     store has no record of go first, then the most recently launched;
//   - a live instance of a cancelled or rolled-back request, or of a request the store does
//     not know, is an orphan and terminated;
//   - a store record of a live instance that its own provider's listing does not show live
//     has vanished (only decided when that provider answered);
//   - an open intent (a create whose answer was never committed) is resolved: what it created
//     was adopted or ended above, the records of its slots that never reached the cloud are
//     marked failed, and the intent is closed (only when the intent's provider answered).
//     The "requested" records of an unfinished request are failed too (only after a complete
//     listing, and not the slots of an intent left open): no process will create them any more.
//
// The reconciler (runtime/reconciler.hpp) lists, assigns owners, plans, then adopts,
// terminates and records.

#include <functional>
#include <string>
#include <vector>

#include "messages/instance_record.hpp"
#include "runtime/store.hpp"

namespace styx {

/// What one provider's listing by the ownership tag returned.
struct provider_listing {
  provider_id provider;
  std::vector<cloud_instance> instances;
};

/// One listed instance and the provider that listed it.
struct listed_instance {
  provider_id provider;
  cloud_instance instance;
};

struct reconcile_plan {
  std::vector<listed_instance> adopt;
  std::vector<listed_instance> terminate_surplus;
  std::vector<listed_instance> terminate_orphans;
  std::vector<instance_record> vanished;    // store records to mark terminated
  std::vector<request_id> unfinished;       // submitted requests the store never saw finish:
                                            // marked interrupted (styx up --resume ID)
  std::vector<std::string> resolved_intents; // client tokens of open intents to close
  std::vector<instance_record> never_created; // "requested" records of their slots, or of
                                              // an unfinished request, that no cloud holds:
                                              // to mark failed
  std::vector<instance_record> not_reached;   // live records on a provider without a
                                              // listing: left as they are
};

struct reconcile_report {
  int listed = 0;
  int adopted = 0;
  int identified = 0;        // untagged instances identified by their create call or record
  int terminated_surplus = 0;
  int terminated_orphans = 0;
  int vanished = 0;
  int unfinished = 0;
  int intents_resolved = 0;
  int not_reached = 0;       // live records whose provider did not answer: nothing changed
  std::vector<std::string> errors; // providers whose listing failed

  /// {"listed":..,"adopted":..,...,"errors":[..]}
  std::string to_json() const;
};

/// Sets, in `listings`, the styx:instance tag (and Name, when the store knows it) of every
/// live instance that lacks it: the store's record with its provider and cloud id, else the
/// slot of its create call (its client_token and launch_index in `intents`, unless another
/// instance's record holds that id), else `fresh()` (an instance no create of this engine
/// explains: surplus or orphan to the plan). Returns how many it set.
int assign_owners(std::vector<provider_listing>& listings,
                  const std::vector<instance_record>& records,
                  const std::vector<stored_intent>& intents,
                  const std::function<instance_id()>& fresh);

/// `listings`: one per provider that answered. `listing_complete`: every registered provider
/// answered; without it (or while a live record or an open intent is on a provider without a
/// listing) no unfinished request's "requested" record is failed. `open_intents`: intents
/// without an outcome (store::open_intents()).
reconcile_plan plan_reconcile(const std::vector<stored_request>& requests,
                              const std::vector<instance_record>& records,
                              const std::vector<provider_listing>& listings,
                              bool listing_complete,
                              const std::vector<stored_intent>& open_intents = {});

} // namespace styx
