// What the provider tells and takes of the creates waiting for its buckets: its answer to
// admission_atom, for the supervisor's rate-aware placement (actors/supervisor_release.cpp),
// and the withdrawal of those for an offering the supervisor has just blocklisted.

#include "actors/provider_internal.hpp"

namespace styx::provider_detail {

/// The create buckets and what waits for them, for the supervisor's rate-aware placement.
admission_state admission_of(provider_self self) {
  auto& st = self->state;
  auto lv = st.queue.levels_of(call_class::create, self->clock().now());
  admission_state a;
  a.provider = st.cloud->id();
  if (!lv.instances.unlimited()) {
    a.tokens = lv.tokens;
    a.capacity = lv.instances.capacity;
    a.refill_per_sec = lv.instances.refill_per_sec;
  }
  if (!lv.calls.unlimited()) {
    a.call_tokens = lv.call_tokens;
    a.call_refill_per_sec = lv.calls.refill_per_sec;
  }
  auto queued = st.creates.size() + st.queue.waiting_instances(call_class::create);
  a.queued = static_cast<int64_t>(queued);
  for (auto& [seq, o] : st.in_flight)
    a.in_flight += o.call.op == api_op::create ? static_cast<int64_t>(o.call.size()) : 0;
  a.received = st.creates_received;
  a.throttled = st.create_throttles;
  a.max_batch = static_cast<int64_t>(st.cloud->max_batch(api_op::create));
  return a;
}

void withdraw(provider_self self, const withdraw_creates& w) {
  auto& st = self->state;
  auto fail = [&](waiter& x) {
    x.rp.deliver(instance_update{{}, w.error});
    ++st.stats.creates_withdrawn;
  };
  for (auto& c : st.creates.take_if([&](const launch_spec& spec) { return w.covers(spec); }))
    for (auto& item : c.items)
      fail(item.w);
  for (auto& o : st.queue.withdraw(call_class::create,
                                   [&](const outgoing& o) { return w.covers(o.call.spec); }))
    for (auto& x : o.waiters)
      fail(x);
}

} // namespace styx::provider_detail
