// The provider's provider_stats (messages/protocol.hpp): the counters it keeps as it works and
// the levels of its buckets, retry budget and queues at the moment it is asked, for
// benchmarks and metrics (runtime/metrics_collect.hpp).

#include "actors/provider_internal.hpp"

#include <algorithm>

namespace styx::provider_detail {

static_assert(static_cast<size_t>(api_op::watch) + 1 == api_op_count,
              "messages/protocol.hpp's api_op_count follows providers/cloud_api.hpp's api_op");

provider_stats stats_of(provider_self self) {
  auto& st = self->state;
  auto stats = st.stats;
  stats.tokens_taken = st.queue.taken();
  stats.retry_budget = st.budget.tokens();
  auto now = self->clock().now();
  stats.bucket_tokens.assign(2 * call_class_count, 0);
  stats.bucket_capacity.assign(2 * call_class_count, 0);
  for (size_t c = 0; c < call_class_count; ++c) {
    auto lv = st.queue.levels_of(static_cast<call_class>(c), now);
    if (!lv.calls.unlimited()) {
      stats.bucket_tokens[c] = lv.call_tokens;
      stats.bucket_capacity[c] = lv.calls.capacity;
    }
    if (!lv.instances.unlimited()) {
      stats.bucket_tokens[call_class_count + c] = lv.tokens;
      stats.bucket_capacity[call_class_count + c] = lv.instances.capacity;
    }
  }
  stats.in_flight = static_cast<int64_t>(st.in_flight.size());
  size_t queued = st.creates.size() + st.changes.size();
  for (size_t c = 0; c < call_class_count; ++c)
    queued += st.queue.waiting_instances(static_cast<call_class>(c));
  stats.queued = static_cast<int64_t>(queued);
  return stats;
}

void count_answer(provider_state& st, api_op op, const cloud_error& err) {
  auto outcome = !err                                ? call_outcome::ok
                 : err.kind == error_kind::throttled ? call_outcome::throttled
                                                     : call_outcome::error;
  auto& v = st.stats.answers;
  if (v.empty())
    v.assign(api_op_count * call_outcome_count, 0);
  ++v[static_cast<size_t>(op) * call_outcome_count + static_cast<size_t>(outcome)];
}

void count_batch(provider_state& st, size_t size) {
  auto& v = st.stats.batch_sizes;
  if (v.empty())
    v.assign(batch_size_bounds.size() + 1, 0);
  auto bound = std::lower_bound(batch_size_bounds.begin(), batch_size_bounds.end(),
                                static_cast<double>(size));
  ++v[static_cast<size_t>(bound - batch_size_bounds.begin())];
  st.stats.batch_size_sum += size;
}

void count_failed(provider_state& st, const outgoing& o, const cloud_error& err) {
  if (o.call.op == api_op::create && is_placement_error(err.kind))
    st.stats.placement_errors += o.waiters.size();
}

} // namespace styx::provider_detail
