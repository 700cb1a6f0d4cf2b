#pragma once
// The typed interfaces of Styx's three actors. A request travels:
//
//   supervisor --place--> instance --create_instance--> provider --api_call--> cloud_api
//   cloud_api --api_reply--> provider --instance_update--> instance --state_changed--> supervisor
//
// Every message type here is registered (messages/registry.cpp), so a provider may be remote.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>
#include <caf/replies_to.hpp>

#include "actors/atoms.hpp"
#include "actors/selector.hpp"
#include "actors/placement_quote.hpp"
#include "messages/admission.hpp"
#include "messages/events.hpp"
#include "messages/protocol.hpp"
#include "messages/provision_request.hpp"
#include "messages/state_counts.hpp"
#include "messages/styx_error.hpp"
#include "providers/cloud_api.hpp"

namespace styx {

/// From the supervisor, which has just blocklisted an offering of this provider: fail the
/// creates for it that have not gone out (coalescing, or waiting for the buckets) with
/// `error`, so that their instances are placed elsewhere now instead of spending calls the
/// cloud would refuse. Empty zone and type: every zone and type of the market (a quota error).
/// A call that went out once is left alone, retries included: it may have made instances.
struct withdraw_creates {
  std::string zone;
  std::string instance_type;
  market_kind market = market_kind::on_demand;
  cloud_error error;

  /// True when a create with `spec` is for this offering.
  bool covers(const launch_spec& spec) const {
    return spec.market == market && (zone.empty() || spec.zone == zone)
           && (instance_type.empty() || spec.instance_type == instance_type);
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, withdraw_creates& x) {
  return f(caf::meta::type_name("withdraw_creates"), x.zone, x.instance_type, x.market, x.error);
}

/// One per (cloud, region): rate-limits, coalesces, retries and polls for its instances.
/// Only what others may send: its continuations to itself (cloud answers, recorded intents,
/// timers) are local-only messages of the actor it is spawned as (actors/provider.cpp).
using provider_actor = caf::typed_actor<
  // From instance actors. Answered when the (coalesced) call is done, after retries.
  caf::replies_to<create_instance>::with<instance_update>,
  caf::replies_to<change_instance>::with<instance_update>,
  // From an instance actor that exists already on the cloud: poll me, send me updates.
  caf::reacts_to<watch_atom, std::string, instance_state>,
  caf::replies_to<list_instances>::with<std::vector<cloud_instance>>,
  caf::replies_to<catalog_atom>::with<catalog>,
  caf::replies_to<stats_atom>::with<provider_stats>,
  // From the supervisor, for rate-aware placement: its create buckets and backlog now.
  caf::replies_to<admission_atom>::with<admission_state>,
  // From the supervisor: an offering was blocklisted (withdraw_creates above).
  caf::reacts_to<withdraw_creates>>;

/// A provider actor and its id: what a node offers (actors/node_protocol.hpp) and what the
/// supervisor has registered.
struct provider_ref {
  provider_id id;
  provider_actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_ref& x) {
  return f(caf::meta::type_name("provider_ref"), x.id, x.handle);
}

/// Where instances are to be created: a provider and a launch spec. Made once per request and
/// provider (or release wave) and shared, immutable, by every instance sent there; the
/// instances hold it by reference. Local only: the supervisor and its instance actors share
/// one process (CAF_ALLOW_UNSAFE_MESSAGE_TYPE below), so it is never serialised.
struct placement_basis {
  provider_actor provider;
  provider_id id;
  launch_spec spec;
};

/// Where an instance found on a cloud or in the store runs: on the provider `handle`, with the
/// provider id, zone, type and market of `rec`.
inline std::shared_ptr<const placement_basis> basis_of(const instance_record& rec,
                                                       provider_actor handle) {
  auto b = std::make_shared<placement_basis>();
  b->provider = std::move(handle);
  b->id = rec.provider;
  b->spec.zone = rec.zone;
  b->spec.instance_type = rec.instance_type;
  b->spec.market = rec.market;
  return b;
}

/// A shared, immutable placement_basis as a message: what place_atom carries.
struct placement_ref {
  std::shared_ptr<const placement_basis> basis;
};

/// One per instance: owns its lifecycle state machine.
using instance_actor = caf::typed_actor<
  // From the supervisor: (re)place on a provider with this launch spec.
  caf::reacts_to<place_atom, provider_actor, provider_id, launch_spec>,
  // The same with a shared basis (no copy of the spec per instance): what the supervisor sends.
  caf::reacts_to<place_atom, placement_ref>,
  // From the supervisor: no candidate is left; fail with this reason.
  caf::reacts_to<give_up_atom, state_reason, std::string>,
  // From the supervisor or the engine: stop, start or terminate. Refused with an error when the
  // transition is illegal in the current state.
  caf::replies_to<change_op>::with<instance_record>,
  // From the supervisor: terminate it for a reason of the engine's own (reconcile's surplus
  // and orphans), which its end then carries, with these words as its last error.
  caf::reacts_to<end_atom, state_reason, std::string>,
  caf::replies_to<record_atom>::with<instance_record>,
  // From the provider: polling observations.
  caf::reacts_to<instance_update>>;

/// A create failed with a capacity or quota error: the supervisor picks the next candidate.
struct placement_failed {
  instance_id id;
  request_id request;
  launch_spec spec;
  provider_id provider;
  cloud_error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_failed& x) {
  return f(caf::meta::type_name("placement_failed"), x.id, x.request, x.spec, x.provider,
           x.error);
}

/// Distributes requests across providers; tracks every request and instance.
using supervisor_actor = caf::typed_actor<
  // A provider joins (or returns after it was lost). Refused while another provider with the
  // same id is registered: ids name the records' providers and must be unique. Two providers
  // of one cloud/region on different nodes have different ids (messages/ids.hpp).
  caf::replies_to<provider_atom, provider_actor, provider_id>::with<bool>,
  // The providers registered now (local ones and those of connected nodes).
  caf::replies_to<providers_atom>::with<std::vector<provider_ref>>,
  caf::replies_to<provision_request>::with<request_id>,
  caf::reacts_to<instance_state_changed>,
  // What its instance actors send: only what changed (messages/events.hpp).
  caf::reacts_to<instance_delta>,
  caf::reacts_to<placement_failed>,
  // Stop / start / terminate the selected instances; answers how many were asked.
  caf::replies_to<change_op, selector>::with<int>,
  // Terminates the selected instances, each to end with this reason and these words
  // (reconcile: surplus, orphan); answers how many were asked.
  caf::replies_to<end_atom, selector, state_reason, std::string>::with<int>,
  caf::replies_to<list_atom, selector>::with<std::vector<instance_record>>,
  // How many selected instances are neither in this state nor final.
  caf::replies_to<count_atom, selector, instance_state>::with<int>,
  // Every instance in its books, by state (messages/state_counts.hpp).
  caf::replies_to<count_atom>::with<state_counts>,
  // Lists every provider by the engine's ownership tag and adopts what it finds.
  caf::replies_to<adopt_atom>::with<int>,
  // Adopts known records (from the store): live ones on a registered provider, not tracked yet.
  // No cloud call; their provider's polling corrects a record that went stale.
  caf::replies_to<adopt_atom, std::vector<instance_record>>::with<int>,
  // Events (instance_state_changed, request_progress, request_done) go to this actor.
  caf::reacts_to<subscribe_atom, caf::actor>,
  // The same, with instance transitions in batches (instance_events): one message per burst
  // instead of one per transition. Other events come one by one, after the batch before them.
  caf::reacts_to<subscribe_atom, caf::actor, batched_atom>,
  caf::replies_to<stats_atom>::with<std::vector<provider_stats>>,
  // The plan it would follow for this request now (actors/placement_plan.hpp), not submitted.
  caf::replies_to<quote_atom, provision_request>::with<placement_quote>,
  caf::reacts_to<tick_atom>,
  // Internal: the batch of instance transitions goes out.
  caf::reacts_to<flush_atom>,
  // Internal: a request's deadline passed.
  caf::reacts_to<timeout_atom, request_id>,
  // Internal: the first of the pending deadlines is due (supervisor_books.cpp).
  caf::reacts_to<pending_atom>>;

} // namespace styx

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(styx::placement_ref)
