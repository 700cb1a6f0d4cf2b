#pragma once
// Messages between instance actors, provider actors and the supervisor. All serialisable, so
// a provider actor may live on another node.

#include <array>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/cloud_error.hpp"
#include "messages/cloud_types.hpp"

namespace styx {

/// Instance -> provider: create me. Coalesced with equal specs into one API call.
struct create_instance {
  instance_id id;
  request_id request;
  std::string name;
  launch_spec spec;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_instance& x) {
  return f(caf::meta::type_name("create_instance"), x.id, x.request, x.name, x.spec);
}

enum class change_op : uint8_t { stop, start, terminate };

inline const char* to_string(change_op x) {
  switch (x) {
    case change_op::stop: return "stop";
    case change_op::start: return "start";
    default: return "terminate";
  }
}

/// Instance -> provider: stop, start or terminate me. Batched like creates.
struct change_instance {
  instance_id id;
  std::string cloud_id;
  change_op op = change_op::terminate;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change_instance& x) {
  return f(caf::meta::type_name("change_instance"), x.id, x.cloud_id, x.op);
}

/// Provider -> instance: the answer to a create or change, or an observation from polling.
/// `error` set: the call failed for this instance (after retries, when retryable).
struct instance_update {
  cloud_instance instance;
  cloud_error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_update& x) {
  return f(caf::meta::type_name("instance_update"), x.instance, x.error);
}

/// Anyone -> provider: the instances the cloud has whose tags include all of `filter`.
struct list_instances {
  tag_map filter;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_instances& x) {
  return f(caf::meta::type_name("list_instances"), x.filter);
}

/// What a provider actor has done so far: for benchmarks and `styx status --verbose`.
struct provider_stats {
  provider_id provider;
  uint64_t api_calls = 0;
  uint64_t throttled = 0;     // calls the cloud answered with a throttling error
  uint64_t retries = 0;
  uint64_t failed_calls = 0;  // calls that ended in an error after retries
  uint64_t instances_created = 0;
  uint64_t budget_exhausted = 0; // retries refused by the retry budget
  uint64_t max_in_flight = 0; // the most calls on the wire at once
  int64_t watched = 0;        // instances polled
  uint64_t pushed = 0;        // changes a cloud pushed (watch events about instances)
  uint64_t polls_saved = 0;   // describe calls a poll would have sent while pushes were followed
  uint64_t relists = 0;       // lists made to (re)start following a cloud's pushes
  // Request-bucket tokens taken, per API class (create, start, stop, terminate, describe): one
  // per HTTP request the provider let through to the cloud, follow-up pages included.
  std::vector<uint64_t> tokens_taken;
  // Answers whose rate-limit headers (api_reply::remaining) said less was left than the
  // request bucket held, so that the bucket was lowered: slowed down before a throttle.
  uint64_t slowed_by_cloud = 0;
  // -- for metrics (runtime/metrics_collect.hpp) --
  // Attempts answered, per (api_op, outcome): index op * call_outcome_count + outcome, where
  // the outcomes are ok, throttled and error (any other error, retried or not).
  std::vector<uint64_t> answers;
  int64_t retry_budget = 0;   // tokens left in the retry budget now
  // Per call class (create, start, stop, terminate, describe), now: the request bucket's
  // tokens and capacity, then the resource (instances) bucket's; capacity 0: unlimited.
  std::vector<double> bucket_tokens;
  std::vector<double> bucket_capacity;
  int64_t in_flight = 0;      // calls on the wire now
  int64_t queued = 0;         // instances waiting here: coalescing, buckets, retries
  // Instances per first attempt of a coalesced call (create, start, stop, terminate), by
  // batch_size_bounds: counts[i] for size <= bounds[i], the last for bigger ones.
  std::vector<uint64_t> batch_sizes;
  uint64_t batch_size_sum = 0;
  // Instances whose create failed here with a capacity or quota error: each goes back to the
  // supervisor to be placed elsewhere (a failover) and blocklists the offering.
  uint64_t placement_errors = 0;
  // Instances whose create never went out: their offering was blocklisted while they waited
  // here (withdraw_creates), and they went back to be placed elsewhere without a call.
  uint64_t creates_withdrawn = 0;
  // Filled in by the supervisor (its stats_atom): its blocklist's live entries of this
  // provider (an offering, or the whole region after a quota error).
  uint64_t blocklisted = 0;
};

/// provider_stats::answers' outcomes.
enum class call_outcome : uint8_t { ok, throttled, error };
constexpr size_t call_outcome_count = 3;
constexpr size_t api_op_count = 8; // providers/cloud_api.hpp's api_op

inline const char* to_string(call_outcome x) {
  switch (x) {
    case call_outcome::ok: return "ok";
    case call_outcome::throttled: return "throttled";
    default: return "error";
  }
}

/// provider_stats::batch_sizes' upper bounds (a last bucket holds the rest).
inline constexpr std::array<double, 10> batch_size_bounds{1, 2, 5, 10, 20, 50, 100, 200, 500,
                                                          1000};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, provider_stats& x) {
  return f(caf::meta::type_name("provider_stats"), x.provider, x.api_calls, x.throttled,
           x.retries, x.failed_calls, x.instances_created, x.budget_exhausted, x.max_in_flight,
           x.watched, x.pushed, x.polls_saved, x.relists, x.tokens_taken, x.slowed_by_cloud,
           x.answers, x.retry_budget, x.bucket_tokens, x.bucket_capacity, x.in_flight,
           x.queued, x.batch_sizes, x.batch_size_sum, x.placement_errors, x.creates_withdrawn,
           x.blocklisted);
}

} // namespace styx
