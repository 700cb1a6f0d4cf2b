#pragma once
// Internal to the supervisor (actors/supervisor.cpp, actors/supervisor_providers.cpp): its
// state and the steps both files use. Not a public header.

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/supervisor.hpp"
#include "actors/supervisor_release.hpp"
#include "messages/transition.hpp"

namespace styx::supervisor_detail {

struct provider_entry {
  provider_id id;
  provider_actor handle;
  catalog offerings;
  bool catalog_ready = false;
  std::string catalog_error; // why the catalog could not be had
  int64_t load = 0;
};

/// What is rare in an instance's books, kept out of line: words for its last state, a zone
/// the cloud chose other than its placement's, and the tags of one adopted from a cloud.
struct tracked_rare {
  std::string last_error;
  std::string zone;               // empty: its placement's
  std::optional<tag_map> tags;    // an adopted one's; else its request's
};

/// The supervisor's books of one instance: its record in compact form, about 130 bytes. What
/// every instance of one placement shares (provider, zone, type, market) is that placement's
/// basis, held by reference; the tags are its request's; what is rare is out of line. The id is
/// its key in supervisor_state::instances. record_of() makes the full instance_record when one
/// is needed (an event, a list, a transition through advance()), absorb() takes one back.
struct tracked {
  request_id request;
  std::string name;
  std::string cloud_id;                          // empty until the create call answered
  std::shared_ptr<const placement_basis> basis;  // where it was placed; null until then
  std::unique_ptr<tracked_rare> rare;            // null while there is nothing rare
  instance_actor handle;                         // null once final
  unix_ms since = 0;                             // when it entered `state`
  instance_state state = instance_state::requested;
  state_reason reason = state_reason::none;
  // Counted in its provider's load. A placement failure and the final state both used to
  // decrement the load, so an instance given up after a capacity error was subtracted twice
  // and least-loaded then preferred the provider that had just failed.
  bool counted = false;

  bool on(const provider_id& pid) const { return basis && basis->id == pid; }
  const std::string& zone() const;
  const std::string& last_error() const;
  /// Where the cloud put it: kept only when that is not its placement's zone.
  void set_zone(std::string where);
  void set_last_error(std::string words);
  tracked_rare& rare_part();
};

/// An instance in the books: its id and what is kept of it.
using tracked_entry = std::pair<const instance_id, tracked>;

struct request_entry {
  provision_request req;
  std::vector<instance_id> instances;
  std::array<int, instance_state_count> states{};
  std::vector<instance_failure> failures;
  std::set<std::string> tried; // where placement failed, for the final reason
  int replacements = 0;
  bool done = false;
  bool cancelled = false; // rolled back or terminated by the user
  bool dirty = false;
};

/// An instance that entered pending, and when it is to be given up unless it has moved on by
/// then: 32 bytes while it may be waiting, in place of a timer of its own (CAF's clock kept
/// ~170 bytes per delayed message, for the ten minutes of the timeout).
struct pending_deadline {
  caf::actor_clock::time_point due;
  instance_id id;
  unix_ms since; // when it entered pending: a later stay there has a deadline of its own
};

/// A reply a provider owes (a listing for adopt()): `done` runs once, when it comes, fails or
/// the provider goes down, whichever is first.
struct owed_reply {
  caf::actor_addr provider;
  std::shared_ptr<bool> settled;
  std::function<void()> done;
};

struct supervisor_state {
  static inline const char* name = "styx.supervisor";

  supervisor_config cfg;
  blocklist blocked;
  std::vector<provider_entry> providers;
  std::unordered_map<instance_id, tracked, uuid_hash> instances;
  state_counts counts; // `instances` by state: kept by spawn_one, books_after and adoption
  std::map<request_id, request_entry> requests;
  std::vector<request_id> waiting_for_catalogs;
  std::vector<caf::actor> subscribers;
  std::vector<caf::actor> batched; // subscribers of instance transitions in batches
  std::vector<instance_state_changed> outbox; // the batch not sent yet
  bool flush_due = false; // a flush_atom is in the mailbox
  std::set<provider_id> lost; // providers that went down; reconciled when they return
  std::vector<owed_reply> owed; // settled when answered or when their provider goes down
  // Every instance's stay in pending, in the order they began: one timeout for all, so the
  // first is always the next due. One pending_atom is in the mailbox while `pending_armed`.
  std::deque<pending_deadline> pending;
  bool pending_armed = false;
  size_t cursor = 0; // round-robin
  bool ticking = false;
  release_state release; // rate-aware policies (supervisor_release.cpp)
};

using supervisor_self = supervisor_actor::stateful_pointer<supervisor_state>;

/// Sends the batch of instance transitions to the batched subscribers.
void flush_events(supervisor_self self);

/// Sends `event` to every subscriber (the batch before it first): copied for all but the
/// last, which gets it moved.
template <class T>
void publish(supervisor_self self, T event) {
  auto& st = self->state;
  flush_events(self);
  auto n = st.subscribers.size() + st.batched.size();
  size_t k = 0;
  for (auto* subs : {&st.subscribers, &st.batched})
    for (auto& sub : *subs) {
      if (++k < n)
        caf::anon_send(sub, event);
      else
        caf::anon_send(sub, std::move(event));
    }
}

/// An instance's transition for the subscribers: sent at once to those one by one, batched
/// for the others. Nothing is made when nobody subscribed.
void publish_change(supervisor_self self, const tracked_entry& t, instance_state from);

provider_entry* find_provider(supervisor_state& st, const provider_id& id);

/// Places one instance of `entry` on its best candidate, or gives it up.
void place(supervisor_self self, request_entry& entry, tracked_entry& t);

/// A fresh instance of `entry` (state requested). Placed at once on `placed`'s provider when
/// given (place_on's books are the caller's), else not placed yet.
tracked_entry& spawn_one(supervisor_self self, request_entry& entry, std::string name,
                         placement_ref placed = {});

/// The full record of `t`, its tags from `st`'s books of its request.
instance_record record_of(const supervisor_state& st, const tracked_entry& t);

/// `t` as `rec` says (its state, reason, since, words, cloud id and zone), after on_changed
/// or a transition through advance() checked the move.
void absorb(tracked& t, instance_record rec);

/// The books of an instance found on a cloud or in the store (`rec`), on `provider`.
tracked tracked_of(instance_record rec, provider_actor provider, instance_actor handle);

/// True when `sel` selects `t`.
bool selected(const supervisor_state& st, const selector& sel, const tracked_entry& t);

/// Applies a transition to the books: request counts, failures, replacements, load, events.
/// `replace`: the instance was lost in flight; the request gets a replacement if it can.
void on_changed(supervisor_self self, instance_state_changed& ev, bool replace = false);

/// Gives up every instance whose pending deadline is due and that is still in that stay, and
/// waits for the next deadline.
void on_pending_due(supervisor_self self);

/// What the actor of `e` told of itself (only what changed), applied as on_changed does.
void on_delta(supervisor_self self, tracked_entry& e, instance_delta& d);

/// Blocklists `key`; a new block also withdraws that provider's unsent creates for it, which
/// fail with `why` (withdraw_creates).
void block_offering(supervisor_self self, const offering_key& key, const cloud_error& why);

/// A create failed with a capacity or quota error: block the offering, place it again.
void on_placement_failed(supervisor_self self, placement_failed& pf);

/// The counts of `e` now.
request_progress progress_of(const request_entry& e);

/// Ends `entry` (rolled back when too few run); publishes its progress and request_done.
void finish(supervisor_self self, request_entry& entry, std::string error = {});

/// Where an offering is, in words: "sim/us-east-1 us-east-1a m5.large on-demand".
std::string describe(const offering_key& k);

/// Wall-clock milliseconds from the injected wall clock.
int64_t wall_now(const supervisor_state& st);

bool catalogs_ready(const supervisor_state& st);

/// Every fitting, unblocked offering for `req`, best first (rank_candidates).
std::vector<candidate> candidates_for(supervisor_self self, const provision_request& req);

/// The launch spec of `req` on offering `o`.
launch_spec spec_for(const supervisor_state& st, const provision_request& req, const offering& o);

/// The shared placement on `best`'s provider with `spec`: made once, sent to many instances.
placement_ref basis_for(const supervisor_state& st, const candidate& best, launch_spec spec);

/// Counts `t` in the load of `best`'s provider and records it there with its placement `ref`
/// (no message).
void count_on(supervisor_self self, tracked& t, const candidate& best, const placement_ref& ref);

/// Sends `t` to `best` with the shared placement `ref`, and counts it in that provider's load.
void place_on(supervisor_self self, tracked& t, const candidate& best, const placement_ref& ref);

/// Why an instance of `entry` has nowhere to go.
std::string no_candidate_reason(const request_entry& entry);

void schedule_tick(supervisor_self self);

// -- supervisor_release.cpp (rate-aware policies) -------------------------------------------

/// Holds `t` back until a provider can admit it; the next admission round releases it.
void hold(supervisor_self self, request_entry& entry, const instance_id& id);

/// On every tick: asks the providers for their admission state when anything is held or a
/// quote waits; true while that is so.
bool release_tick(supervisor_self self);

/// Answers `rp` with the plan for `req` once the providers' admission states are in.
void quote(supervisor_self self, provision_request req,
           caf::typed_response_promise<placement_quote> rp);

// -- supervisor_providers.cpp ---------------------------------------------------------------

/// Lists every provider by the engine's ownership tag and adopts what it finds.
void adopt(supervisor_self self, caf::typed_response_promise<int> rp);

/// The providers registered now, with their handles.
std::vector<provider_ref> registered_providers(const supervisor_state& st);

/// Adopts live records on registered providers that are not tracked yet; returns how many.
int adopt_records(supervisor_self self, std::vector<instance_record> records);

/// A provider went down (its node died or was cut off).
void on_provider_down(supervisor_self self, const caf::down_msg& dm);

/// The books of instance `id` when the message being handled comes from its current actor;
/// nullptr otherwise. An actor the supervisor let go (its provider was lost; it was rebound to
/// a returning provider) may still have events on the way: they are stale, and applying them
/// would revive a record already failed and replaced.
tracked_entry* from_current_actor(supervisor_self self, const instance_id& id);

/// Settles what the provider at `source` still owes (it went down: no answer will come).
void settle_owed(supervisor_state& st, const caf::actor_addr& source);

/// A provider that was lost is back: match its cloud's instances against the books.
void on_provider_back(supervisor_self self, const provider_id& id);

} // namespace styx::supervisor_detail
