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
