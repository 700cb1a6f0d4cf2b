#pragma once
// Events the engine publishes: every instance transition, progress of a request, its end.

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/instance_record.hpp"

namespace styx {

struct instance_state_changed {
  instance_record record; // after the transition
  instance_state from = instance_state::requested;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_state_changed& x) {
  return f(caf::meta::type_name("instance_state_changed"), x.record, x.from);
}

/// What an instance actor tells the supervisor of one change: only what changed, never a
/// whole record. The supervisor keeps the one full record and publishes
/// instance_state_changed with it. One delta may carry two steps: from -> via -> state, when
/// the first step (a create answered, a change accepted) had no reason and no words; via ==
/// from means one step. The cloud's identity of the instance (cloud_id, zone, type, market)
/// comes once, with the first delta after its create answered; empty cloud_id: unchanged.
/// from == state: no move, `detail` annotates last_error.
struct instance_delta {
  instance_id id;
  instance_state from = instance_state::requested;
  instance_state via = instance_state::requested;
  instance_state state = instance_state::requested;
  state_reason reason = state_reason::none; // why it entered `state`
  unix_ms since = 0;
  std::string detail; // last_error after it
  std::string cloud_id;
  std::string zone;
  std::string instance_type;
  market_kind market = market_kind::on_demand;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_delta& x) {
  return f(caf::meta::type_name("instance_delta"), x.id, x.from, x.via, x.state, x.reason,
           x.since, x.detail, x.cloud_id, x.zone, x.instance_type, x.market);
}

/// The steps of `d` applied to `rec` (the record before it), each as the event a subscriber
/// sees: one, or two when it passed through `via`.
inline std::vector<instance_state_changed> steps_of(instance_record rec,
                                                    const instance_delta& d) {
  std::vector<instance_state_changed> out;
  if (!d.cloud_id.empty()) {
    rec.cloud_id = d.cloud_id;
    rec.zone = d.zone;
    rec.instance_type = d.instance_type;
    rec.market = d.market;
  }
  if (d.via != d.from) {
    rec.state = d.via;
    rec.reason = state_reason::none;
    rec.since = d.since;
    rec.last_error.clear();
    out.push_back(instance_state_changed{rec, d.from});
  }
  if (d.state != rec.state || d.from == d.state) {
    auto from = rec.state;
    rec.state = d.state;
    if (from != d.state) {
      rec.reason = d.reason;
      rec.since = d.since;
    }
    rec.last_error = d.detail;
    out.push_back(instance_state_changed{std::move(rec), from});
  }
  return out;
}

/// Instance transitions in the order they happened, as one message: what the supervisor
/// sends a subscriber that asked for batches (the engine's event bridge), flushed before any
/// other event and whenever its mailbox had nothing older queued.
struct instance_events {
  std::vector<instance_state_changed> events;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_events& x) {
  return f(caf::meta::type_name("instance_events"), x.events);
}

struct request_progress {
  request_id request;
  int count = 0;      // asked for
  int requested = 0;  // not yet created on a cloud
  int pending = 0;
  int running = 0;
  int failed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_progress& x) {
  return f(caf::meta::type_name("request_progress"), x.request, x.count, x.requested, x.pending,
           x.running, x.failed);
}

/// Why one instance of a request did not run.
struct instance_failure {
  instance_id instance;
  std::string provider; // "sim/us-east-1 us-east-1a m5.large on-demand", where it was tried
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_failure& x) {
  return f(caf::meta::type_name("instance_failure"), x.instance, x.provider, x.reason);
}

struct request_done {
  request_id request;
  bool ok = false;          // at least min_count running
  bool rolled_back = false; // min_count missed: every instance of it was terminated
  int count = 0;
  int running = 0;
  int failed = 0;
  std::vector<instance_failure> failures;
  std::string error;        // for a request refused before any instance existed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_done& x) {
  return f(caf::meta::type_name("request_done"), x.request, x.ok, x.rolled_back, x.count,
           x.running, x.failed, x.failures, x.error);
}

/// A provider that had gone down (its node died or was cut off) is back, and the supervisor
/// matched its cloud's instances against its records.
struct provider_returned {
  provider_id provider;
  int rewatched = 0;  // kept running or stopped while it was away; found and followed again
  int adopted = 0;    // failed while it was away, found live, and still wanted by the request
  int terminated = 0; // found live but replaced meanwhile (or their request is gone): ended
  int vanished = 0;   // recorded live, not on the cloud any more: marked failed
  int unknown = 0;    // tagged by this engine but without a record here: left to reconcile
  std::string error;  // the provider could not be listed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_returned& x) {
  return f(caf::meta::type_name("provider_returned"), x.provider, x.rewatched, x.adopted,
           x.terminated, x.vanished, x.unknown, x.error);
}

} // namespace styx
