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

} // namespace styx
