#include "actors/call_queue.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace styx {

namespace {

/// Splits the first `k` instances (and their waiters) off `head` into a call of their own.
outgoing split_off(outgoing& head, size_t k) {
  outgoing part;
  part.call.op = head.call.op;
  part.call.spec = head.call.spec;
  part.attempt = head.attempt;
  auto n = static_cast<ptrdiff_t>(k);
  if (head.call.op == api_op::create) {
    part.call.slots.assign(head.call.slots.begin(), head.call.slots.begin() + n);
    head.call.slots.erase(head.call.slots.begin(), head.call.slots.begin() + n);
    head.call.client_token.clear();
  } else {
    part.call.cloud_ids.assign(head.call.cloud_ids.begin(), head.call.cloud_ids.begin() + n);
    head.call.cloud_ids.erase(head.call.cloud_ids.begin(), head.call.cloud_ids.begin() + n);
  }
  part.waiters.assign(std::make_move_iterator(head.waiters.begin()),
                      std::make_move_iterator(head.waiters.begin() + n));
  head.waiters.erase(head.waiters.begin(), head.waiters.begin() + n);
  return part;
}

} // namespace

call_class class_of(api_op op) {
  switch (op) {
    case api_op::create: return call_class::create;
    case api_op::start: return call_class::start;
    case api_op::stop: return call_class::stop;
    case api_op::terminate: return call_class::terminate;
    default: return call_class::describe;
  }
}

call_class class_of(const api_call& call) {
  return call.continues() ? call_class::describe : class_of(call.op);
}

api_op op_of(change_op op) {
  switch (op) {
    case change_op::stop: return api_op::stop;
    case change_op::start: return api_op::start;
    default: return api_op::terminate;
  }
}

outgoing make_call(create_batcher::call c) {
  outgoing o;
  o.call.op = api_op::create;
  o.call.spec = std::move(c.key);
  for (auto& item : c.items) {
    o.call.slots.push_back(std::move(item.slot));
    o.waiters.push_back(std::move(item.w));
  }
  return o;
}

outgoing make_call(change_batcher::call c) {
  outgoing o;
  o.call.op = op_of(c.key);
  for (auto& w : c.items) {
    o.call.cloud_ids.push_back(w.cloud_id);
    o.waiters.push_back(std::move(w));
  }
  return o;
}

call_queue::call_queue(const rate_limits& l, time_point now, bool one_mutation_bucket,
                       bool one_request_bucket) {
  if (one_request_bucket)
    bucket_of_[static_cast<size_t>(call_class::describe)] = static_cast<size_t>(call_class::create);
  if (one_mutation_bucket || one_request_bucket)
    for (auto c : {call_class::start, call_class::stop, call_class::terminate})
      bucket_of_[static_cast<size_t>(c)] = static_cast<size_t>(call_class::create);
  auto set = [&](call_class c, bucket_config req, bucket_config res) {
    request_buckets_[static_cast<size_t>(c)] = token_bucket{req, now};
    resource_buckets_[static_cast<size_t>(c)] = token_bucket{res, now};
  };
  set(call_class::create, l.create, l.create_instances);
  set(call_class::start, l.start, l.start_instances);
  set(call_class::stop, l.mutate, l.stop_instances);
  set(call_class::terminate, l.terminate, l.terminate_instances);
  set(call_class::describe, l.describe, bucket_config{});
}

void call_queue::push(outgoing o) {
  ready_[static_cast<size_t>(class_of(o.call))].push_back(std::move(o));
}

void call_queue::retry_later(outgoing o) {
  backing_off_.push_back(std::move(o));
}

void call_queue::throttled(call_class c, time_point now) {
  request_buckets_[bucket_of_[static_cast<size_t>(c)]].drain(now);
}

bool call_queue::remaining(call_class c, double remaining, time_point now) {
  auto i = static_cast<size_t>(c);
  bool calls = request_buckets_[bucket_of_[i]].cap(remaining, now);
  bool instances = resource_buckets_[i].cap(remaining, now);
  return calls || instances;
}

void call_queue::charge(call_class cls, uint32_t n, time_point now) {
  auto c = static_cast<size_t>(cls);
  request_buckets_[bucket_of_[c]].charge(n, now);
  taken_[c] += n;
}

call_queue::levels call_queue::levels_of(call_class c, time_point now) {
  auto& req = request_buckets_[static_cast<size_t>(c)];
  auto& res = resource_buckets_[static_cast<size_t>(c)];
  return levels{req.available(now), req.config(), res.available(now), res.config()};
}

size_t call_queue::waiting_instances(call_class c) const {
  size_t n = 0;
  for (auto& o : ready_[static_cast<size_t>(c)])
    n += o.call.size();
  for (auto& o : backing_off_)
    n += class_of(o.call.op) == c ? o.call.size() : 0;
  return n;
}

std::vector<outgoing> call_queue::withdraw(call_class c,
                                           const std::function<bool(const outgoing&)>& pred) {
  std::vector<outgoing> out;
  auto& q = ready_[static_cast<size_t>(c)];
  for (auto i = q.begin(); i != q.end();) {
    if (i->call.client_token.empty() && !i->call.continues() && pred(*i)) {
      out.push_back(std::move(*i));
      i = q.erase(i);
    } else {
      ++i;
    }
  }
  return out;
}

std::optional<time_point> call_queue::release_retries(time_point now) {
  std::optional<time_point> next;
  for (size_t i = 0; i < backing_off_.size();) {
    if (backing_off_[i].ready_at <= now) {
      auto c = class_of(backing_off_[i].call);
      ready_[static_cast<size_t>(c)].push_front(std::move(backing_off_[i]));
      backing_off_.erase(backing_off_.begin() + static_cast<ptrdiff_t>(i));
    } else {
      keep_earliest(next, backing_off_[i].ready_at);
      ++i;
    }
  }
  return next;
}

std::optional<time_point> call_queue::release(time_point now, const std::function<bool()>& room,
                                              const std::function<void(outgoing)>& send) {
  std::optional<time_point> next;
  // With one bucket for every call, reads go first: a backlog of creates must not starve the
  // polls, lists and watches that tell how the created ones are doing.
  std::array<size_t, call_class_count> order{0, 1, 2, 3, 4};
  if (bucket_of_[static_cast<size_t>(call_class::describe)] != static_cast<size_t>(call_class::describe))
    order = {4, 0, 1, 2, 3};
  for (size_t c : order) {
    auto& queue = ready_[c];
    auto& req = request_buckets_[bucket_of_[c]];
    auto& res = resource_buckets_[c];
    while (!queue.empty() && room()) {
      auto& head = queue.front();
      auto n = static_cast<double>(std::max<size_t>(1, head.call.size()));
      bool carries = head.call.size() > 0 && c != static_cast<size_t>(call_class::describe);
      // How many instances the resource bucket allows now, and how many are worth a call: a
      // second's refill, or a full bucket where that is less (more would never come).
      double allowed = carries ? std::min(n, std::floor(res.available(now))) : n;
      double worth = n;
      if (carries && head.attempt == 1) {
        auto per_call = std::min(res.config().refill_per_sec, res.config().capacity);
        worth = std::min(n, std::max(1.0, std::floor(per_call)));
      }
      if (allowed < worth)
        allowed = 0;
      if (req.available(now) < 1 || allowed < 1) {
        auto wait = std::max(req.time_until(1, now),
                             carries ? res.time_until(worth, now) : duration::zero());
        if (wait != duration::max())
          keep_earliest(next, now + wait);
        break;
      }
      req.try_consume(1, now);
      ++taken_[c];
      if (carries)
        res.try_consume(allowed, now);
      if (allowed < n) { // the first `allowed` instances go now, the rest stay at the head
        send(split_off(head, static_cast<size_t>(allowed)));
      } else {
        auto o = std::move(head);
        queue.pop_front();
        send(std::move(o));
      }
    }
  }
  return next;
}

} // namespace styx
