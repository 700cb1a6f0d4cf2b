// The provider actor following a cloud's pushes (cloud_api::pushes; Kubernetes' watch), as
// actors/provider_internal.hpp's push_follow says. One door: the list and every watch are
// calls the provider admitted through its describe class's bucket; only the stream's events
// come in without being asked for, as messages to the actor (pushed, push_ended).

#include "actors/provider_internal.hpp"

#include <unordered_set>

#include <caf/send.hpp>

namespace styx::provider_detail {

namespace {

constexpr size_t max_unclaimed = 100000;

void relist(provider_self self) {
  auto& p = self->state.push;
  if (p.listing)
    return;
  p.listing = true;
  p.live = false;
  ++self->state.stats.relists;
  outgoing o;
  o.call.op = api_op::list; // empty filter: every instance of any engine the cloud holds
  o.relist = true;
  enqueue_call(self, std::move(o));
  pump_calls(self);
}

void open_watch(provider_self self) {
  outgoing o;
  o.call.op = api_op::watch;
  o.call.cursor = self->state.push.cursor;
  enqueue_call(self, std::move(o));
  pump_calls(self);
}

/// After `failures` broken watches in a row: first_poll doubling, up to poll_interval.
duration relist_delay(const provider_config& cfg, int failures) {
  auto d = cfg.first_poll * (int64_t{1} << std::min(failures, 16));
  return std::min<duration>(d, std::max(cfg.poll_interval, cfg.first_poll));
}

void apply_pushed(provider_self self, const cloud_instance& inst) {
  auto& st = self->state;
  if (auto u = st.polls.on_pushed(inst)) {
    self->send(u->owner, instance_update{std::move(u->instance), {}});
    return;
  }
  if (st.polls.owner_of(inst.cloud_id) == nullptr && !is_final(inst.state)) {
    if (st.push.unclaimed.size() >= max_unclaimed)
      st.push.unclaimed.clear();
    st.push.unclaimed[inst.cloud_id] = inst;
  } else if (is_final(inst.state)) {
    st.push.unclaimed.erase(inst.cloud_id);
    st.push.unclaimed_problems.erase(inst.cloud_id);
  }
}

} // namespace

void push_on_watch(provider_self self, const std::string& cloud_id) {
  auto& st = self->state;
  if (!st.push.wanted)
    return;
  if (auto i = st.push.unclaimed.find(cloud_id); i != st.push.unclaimed.end()) {
    auto inst = std::move(i->second);
    st.push.unclaimed.erase(i);
    apply_pushed(self, inst);
  }
  if (auto i = st.push.unclaimed_problems.find(cloud_id); i != st.push.unclaimed_problems.end()) {
    std::vector<instance_error> problem{{cloud_id, std::move(i->second)}};
    st.push.unclaimed_problems.erase(i);
    report_problems(self, problem);
  }
  push_begin(self);
}

void push_begin(provider_self self) {
  auto& p = self->state.push;
  if (p.wanted && !p.started) {
    p.started = true;
    relist(self);
  }
}

bool push_live(provider_self self) {
  return self->state.push.live;
}

void push_listed(provider_self self, outgoing& o, api_reply& reply) {
  auto& st = self->state;
  auto& p = st.push;
  p.listing = false;
  // What the list lacks of what was watched when it was sent has vanished.
  auto asked = without_problems(st.polls.watched_ids(), reply.failed);
  for (auto& u : st.polls.on_described(o.sent_at, asked, reply.instances, nullptr, false))
    self->send(u.owner, instance_update{std::move(u.instance), {}});
  p.unclaimed.clear();
  p.unclaimed_problems.clear();
  for (auto& inst : reply.instances)
    if (st.polls.owner_of(inst.cloud_id) == nullptr && !is_final(inst.state))
      p.unclaimed[inst.cloud_id] = inst;
  report_problems(self, reply.failed);
  st.stats.watched = static_cast<int64_t>(st.polls.watched());
  p.cursor = reply.cursor;
  ++p.gen;
  open_watch(self);
}

void push_list_failed(provider_self self) {
  auto& p = self->state.push;
  p.listing = false;
  ++p.failures; // polling goes on meanwhile; list again later
  self->delayed_send(self, relist_delay(self->state.cfg, p.failures), relist_due{p.gen});
}

void push_open(provider_self self, outgoing o) {
  auto& st = self->state;
  auto& p = st.push;
  if (p.cancel)
    p.cancel();
  auto gen = p.gen;
  p.live = true;
  ++st.stats.api_calls;
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  auto tell = [weak](auto msg) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<provider_impl>(strong), std::move(msg));
  };
  p.cancel = st.cloud->watch(
    std::move(o.call), [tell, gen](push_batch b) { tell(pushed{gen, std::move(b)}); },
    [tell, gen](api_reply r) { tell(push_ended{gen, std::move(r)}); });
}

void on_pushed(provider_self self, pushed& msg) {
  auto& st = self->state;
  auto& p = st.push;
  if (msg.gen != p.gen)
    return;
  p.failures = 0;
  if (!msg.batch.cursor.empty())
    p.cursor = msg.batch.cursor;
  st.stats.pushed += msg.batch.instances.size() + msg.batch.failed.size();
  for (auto& inst : msg.batch.instances)
    apply_pushed(self, inst);
  report_problems(self, msg.batch.failed);
  st.stats.watched = static_cast<int64_t>(st.polls.watched());
}

void on_push_ended(provider_self self, push_ended& msg) {
  auto& st = self->state;
  auto& p = st.push;
  if (msg.gen != p.gen)
    return;
  p.live = false;
  p.cancel = nullptr;
  if (!msg.reply.cursor.empty())
    p.cursor = msg.reply.cursor;
  auto& err = msg.reply.error;
  if (err.code == "WatchEnded" && !p.cursor.empty()) { // merely timed out: resume
    open_watch(self);
    return;
  }
  ++p.gen; // nothing more of this stream counts
  if (err.code == "Expired") { // the cursor is too old: list again at once
    relist(self);
    return;
  }
  if (err.kind == error_kind::throttled)
    st.queue.throttled(call_class::describe, self->clock().now());
  ++p.failures; // broken: list again after a while; polling goes on meanwhile
  self->delayed_send(self, relist_delay(st.cfg, p.failures), relist_due{p.gen});
}

void on_relist_due(provider_self self, uint64_t gen) {
  if (gen == self->state.push.gen && !self->state.push.live)
    relist(self);
}

std::vector<std::string> without_problems(std::vector<std::string> ids,
                                          const std::vector<instance_error>& failed) {
  if (failed.empty())
    return ids;
  std::unordered_set<std::string> troubled;
  for (auto& f : failed)
    troubled.insert(f.cloud_id);
  std::vector<std::string> out;
  for (auto& id : ids)
    if (troubled.count(id) == 0)
      out.push_back(std::move(id));
  return out;
}

void report_problems(provider_self self, const std::vector<instance_error>& failed) {
  auto& st = self->state;
  for (auto& f : failed) {
    auto* owner = st.polls.owner_of(f.cloud_id);
    if (owner == nullptr) { // not watched (yet): told when it is
      if (st.push.wanted && st.push.unclaimed_problems.size() < max_unclaimed)
        st.push.unclaimed_problems[f.cloud_id] = f.error;
      continue;
    }
    cloud_instance inst;
    inst.cloud_id = f.cloud_id;
    self->send(*owner, instance_update{std::move(inst), f.error});
  }
}

} // namespace styx::provider_detail
