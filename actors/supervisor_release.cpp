// Rate-aware placement (fastest, cheapest-within): the supervisor holds a request's instances
// back and releases them in waves, as the providers' create buckets can admit them.
//
// - A round asks every provider for its admission state (admission_atom): tokens and refill
//   of its create bucket, what waits there, what it received. A provider that does not answer
//   in time admits nothing this round, so its share goes to the others.
// - After each round, request by request in arrival order, the instances not sent yet are
//   split over the request's providers (plan_split, actors/placement_plan.hpp, with each
//   provider's backlog counted), and each provider is sent what its buckets admit within the
//   horizon, in waves worth a call. What was sent stays where it went; only what is held is
//   split again, so a provider that throttles (planned at a rate that halves per throttle),
//   fails, is lost or is blocklisted sheds its unsent share to the others.
// - A quote is the same split for a request that is not submitted, from the same round, behind
//   what is still held for the requests before it.

#include "actors/placement_plan.hpp"
#include "actors/supervisor_internal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace styx::supervisor_detail {

namespace {

constexpr double unbounded = std::numeric_limits<double>::infinity();

/// Throttles halve a provider's planned rate down to this share; it recovers by
/// `recovery_per_sec` once `quiet` passed without one.
constexpr double min_health = 0.1;
constexpr double recovery_per_sec = 0.25;
constexpr duration quiet = seconds(2);

/// A provider the request may use, with its best fitting offering.
struct request_lane {
  size_t provider = 0; // index into the supervisor's providers
  candidate best;
};

/// One lane per provider, in the order of the candidates (best first).
std::vector<request_lane> lanes_for(supervisor_self self, const provision_request& req) {
  std::vector<request_lane> out;
  std::vector<bool> seen(self->state.providers.size(), false);
  for (auto& c : candidates_for(self, req))
    if (!seen[c.provider]) {
      seen[c.provider] = true;
      out.push_back(request_lane{c.provider, c});
    }
  return out;
}

/// A provider's buckets as the plan sees them in this round.
struct live_lane {
  bool known = false;  // it answered this round
  plan_lane plan;      // price left 0: the request's offering sets it
  double headroom = 0; // instances it may be sent now
  double min_wave = 1; // the least worth sending (unless it is all that is left for it)
};

/// Per provider (by index), from the latest round.
std::vector<live_lane> live_lanes(const supervisor_state& st) {
  auto& waves = st.cfg.waves;
  std::vector<live_lane> out(st.providers.size());
  for (size_t i = 0; i < st.providers.size(); ++i) {
    auto& p = st.providers[i];
    auto it = st.release.lanes.find(p.id);
    if (it == st.release.lanes.end() || !it->second.answered
        || it->second.handle != p.handle.address())
      continue;
    auto& info = it->second;
    auto& a = info.last;
    auto& l = out[i];
    l.known = true;
    l.plan.unlimited = a.unlimited();
    l.plan.tokens = a.tokens * info.health;
    l.plan.refill = a.refill_per_sec * info.health;
    // Sent but not arrived yet (the instance actors pass them on) waits there too.
    auto transit = info.sent > a.received ? static_cast<double>(info.sent - a.received) : 0.0;
    l.plan.backlog = static_cast<double>(a.queued) + transit;
    l.headroom = l.plan.unlimited ? unbounded
                                  : std::max(0.0, l.plan.tokens
                                                    + l.plan.refill * to_seconds(waves.horizon)
                                                    - l.plan.backlog);
    l.min_wave = std::max(1.0, std::floor(l.plan.refill * to_seconds(waves.min_wave)));
  }
  return out;
}

/// The request's lanes that answered, as plan lanes with the request's prices; `which` gets
/// the index into `lanes` of each.
std::vector<plan_lane> plan_lanes(const std::vector<request_lane>& lanes,
                                  const std::vector<live_lane>& live, market_kind market,
                                  std::vector<size_t>& which) {
  std::vector<plan_lane> out;
  which.clear();
  for (size_t k = 0; k < lanes.size(); ++k) {
    auto& l = live[lanes[k].provider];
    if (!l.known)
      continue;
    auto pl = l.plan;
    pl.price = lanes[k].best.offer.price(market);
    out.push_back(pl);
    which.push_back(k);
  }
  return out;
}

/// The plan's rule for a request that started at `started`: cheapest_within's deadline less
/// the margin (wave_config::deadline_margin), from now.
plan_rule rule_for(const supervisor_state& st, time_point started, time_point now) {
  auto margin = std::min(st.cfg.waves.deadline_margin, st.cfg.within / 10);
  return plan_rule{st.cfg.policy, to_seconds(started + st.cfg.within - margin - now)};
}

/// The tracked instance `id` if it still waits to be placed.
tracked* waiting(supervisor_state& st, const instance_id& id) {
  auto i = st.instances.find(id);
  if (i == st.instances.end() || !i->second.handle
      || i->second.state != instance_state::requested)
    return nullptr;
  return &i->second;
}

/// Sends up to `n` held instances to `lane`; returns how many went.
int64_t send_held(supervisor_self self, const request_entry& entry, held_request& h, int64_t n,
                  const request_lane& lane) {
  auto& st = self->state;
  auto ref = basis_for(st, lane.best, spec_for(st, entry.req, lane.best.offer));
  int64_t sent = 0;
  while (sent < n && !h.ids.empty()) {
    auto* t = waiting(st, h.ids.front());
    h.ids.pop_front();
    if (t == nullptr)
      continue; // ended while held (cancelled, given up)
    place_on(self, *t, lane.best, ref);
    ++sent;
  }
  st.release.lanes[st.providers[lane.provider].id].sent += static_cast<uint64_t>(sent);
  return sent;
}

void give_up_held(supervisor_self self, const request_entry& entry, held_request& h) {
  auto& st = self->state;
  auto reason = no_candidate_reason(entry);
  for (auto& id : h.ids)
    if (auto* t = waiting(st, id))
      self->send(t->handle, give_up_atom::value, state_reason::given_up, reason);
  h.ids.clear();
}

/// This round's wave of one request.
void release_request(supervisor_self self, const request_entry& entry, held_request& h,
                     std::vector<live_lane>& live, time_point now) {
  auto& st = self->state;
  while (!h.ids.empty() && waiting(st, h.ids.front()) == nullptr)
    h.ids.pop_front();
  if (h.ids.empty())
    return;
  auto lanes = lanes_for(self, entry.req);
  if (lanes.empty()) {
    give_up_held(self, entry, h);
    return;
  }
  std::vector<size_t> which;
  auto plan = plan_lanes(lanes, live, entry.req.pay().kind, which);
  if (plan.empty())
    return; // none of its providers answered: the next round
  auto split = plan_split(plan, static_cast<int64_t>(h.ids.size()), rule_for(st, h.started, now));
  for (size_t j = 0; j < plan.size(); ++j) {
    auto& lane = lanes[which[j]];
    auto& l = live[lane.provider];
    auto share = split.shares[j];
    auto n = l.plan.unlimited ? share
                              : std::min<int64_t>(share, static_cast<int64_t>(l.headroom));
    if (n < share && static_cast<double>(n) < l.min_wave)
      n = 0; // not worth a call yet
    if (n <= 0)
      continue;
    auto sent = static_cast<double>(send_held(self, entry, h, n, lane));
    l.headroom -= sent;
    l.plan.backlog += sent; // the requests after this one see it waiting there
  }
}

/// Whether any provider still has room for a wave this round; the requests after that wait
/// for the next round (so that a round does not visit every request for nothing).
bool any_headroom(const std::vector<live_lane>& live) {
  return std::any_of(live.begin(), live.end(),
                     [](const live_lane& l) { return l.known && l.headroom >= l.min_wave; });
}

/// After a round: every request's wave, in arrival order, while any provider has room.
void release_now(supervisor_self self) {
  auto& st = self->state;
  auto& rs = st.release;
  auto now = self->clock().now();
  auto live = live_lanes(st);
  for (auto o = rs.order.begin(); o != rs.order.end() && any_headroom(live);) {
    auto h = rs.held.find(o->second);
    auto r = st.requests.find(o->second);
    // A cancelled request's instances are ending: release_request skips what ended.
    if (h != rs.held.end() && r != st.requests.end() && !r->second.done)
      release_request(self, r->second, h->second, live, now);
    else if (h != rs.held.end())
      h->second.ids.clear();
    if (h == rs.held.end() || h->second.ids.empty())
      o = rs.order.erase(o);
    else
      ++o;
  }
  for (auto h = rs.held.begin(); h != rs.held.end();) {
    auto r = st.requests.find(h->first);
    bool over = r == st.requests.end() || r->second.done;
    h = over ? rs.held.erase(h) : std::next(h);
  }
}

placement_quote quote_for(supervisor_self self, const provision_request& req) {
  auto& st = self->state;
  placement_quote q;
  q.policy = st.cfg.policy;
  q.within_seconds = to_seconds(st.cfg.within);
  q.count = req.count();
  auto lanes = lanes_for(self, req);
  std::vector<size_t> which;
  auto plan = plan_lanes(lanes, live_lanes(st), req.pay().kind, which);
  if (plan.empty()) {
    q.error = lanes.empty() ? "no provider has an offering that fits the request"
                            : "no provider answered with its admission state";
    return q;
  }
  auto now = self->clock().now();
  auto rule = rule_for(st, now, now);
  // What is held for the requests before it goes first (they are released in arrival order).
  int64_t ahead = 0;
  for (auto& [id, h] : st.release.held)
    ahead += static_cast<int64_t>(h.ids.size());
  auto before = plan_split(plan, ahead, rule);
  for (size_t j = 0; j < plan.size(); ++j)
    plan[j].backlog += static_cast<double>(before.shares[j]);
  auto split = plan_split(plan, req.count(), rule);
  auto secs = [](double s) { return s == plan_never ? -1.0 : s; };
  for (size_t j = 0; j < plan.size(); ++j) {
    auto& c = lanes[which[j]].best;
    auto share = split.shares[j];
    q.lanes.push_back(quote_lane{c.offer.provider, c.offer.zone, c.offer.instance_type,
                                 plan[j].price, share,
                                 secs(seconds_to_admit(plan[j], static_cast<double>(share)))});
  }
  q.seconds = secs(split.seconds);
  q.deadline_met = split.deadline_met;
  q.spend_per_hour = split.spend_per_hour;
  q.cheapest_spend_per_hour = split.cheapest_spend_per_hour;
  return q;
}

void finish_round(supervisor_self self) {
  auto& st = self->state;
  release_now(self);
  if (st.release.quotes.empty() || !catalogs_ready(st))
    return; // quotes wait for every catalog (the next tick asks again)
  auto quotes = std::move(st.release.quotes);
  st.release.quotes.clear();
  for (auto& [req, rp] : quotes)
    rp.deliver(quote_for(self, req));
}

/// A provider's answer: its lane, with its health after a throttle or a quiet spell.
void on_admission(supervisor_self self, uint64_t round, const provider_id& pid,
                  const caf::actor_addr& from, admission_state& a) {
  auto& rs = self->state.release;
  auto now = self->clock().now();
  auto& info = rs.lanes[pid];
  if (info.handle != from) { // a provider actor new under this id: its counts start anew
    info = lane_info{};
    info.handle = from;
  } else if (a.throttled > info.last.throttled) {
    info.health = std::max(min_health, info.health / 2);
    info.last_throttle = now;
  } else if (now - info.last_throttle >= quiet) {
    info.health = std::min(1.0, info.health + recovery_per_sec * to_seconds(now - info.seen));
  }
  info.last = std::move(a);
  info.seen = now;
  if (round != rs.round)
    return; // a late answer of an earlier round
  info.answered = true;
  if (rs.awaiting > 0 && --rs.awaiting == 0)
    finish_round(self);
}

void on_admission_failed(supervisor_self self, uint64_t round) {
  auto& rs = self->state.release;
  if (round == rs.round && rs.awaiting > 0 && --rs.awaiting == 0)
    finish_round(self);
}

/// Asks every provider for its admission state, unless a round is under way already.
void start_round(supervisor_self self) {
  auto& st = self->state;
  auto& rs = st.release;
  auto now = self->clock().now();
  if (rs.awaiting > 0 && now - rs.round_started < 2 * st.cfg.waves.admission_timeout)
    return;
  auto round = ++rs.round;
  rs.round_started = now;
  rs.awaiting = st.providers.size();
  for (auto& [id, info] : rs.lanes)
    info.answered = false;
  if (rs.awaiting == 0) {
    finish_round(self);
    return;
  }
  for (auto& p : st.providers) {
    auto from = p.handle.address();
    auto pid = p.id;
    self->request(p.handle, st.cfg.waves.admission_timeout, admission_atom::value)
      .then([=](admission_state& a) { on_admission(self, round, pid, from, a); },
            [=](caf::error&) { on_admission_failed(self, round); });
  }
}

} // namespace

void hold(supervisor_self self, request_entry& entry, const instance_id& id) {
  auto& rs = self->state.release;
  auto [h, fresh] = rs.held.try_emplace(entry.req.id());
  if (fresh) {
    h->second.seq = rs.next_seq++;
    h->second.started = self->clock().now();
  }
  h->second.ids.push_back(id);
  rs.order.emplace(h->second.seq, entry.req.id());
  start_round(self);
  schedule_tick(self);
}

bool release_tick(supervisor_self self) {
  auto& rs = self->state.release;
  bool work = !rs.order.empty() || !rs.quotes.empty();
  if (work)
    start_round(self);
  return work;
}

void quote(supervisor_self self, provision_request req,
           caf::typed_response_promise<placement_quote> rp) {
  self->state.release.quotes.emplace_back(std::move(req), std::move(rp));
  start_round(self);
  schedule_tick(self);
}

} // namespace styx::supervisor_detail
