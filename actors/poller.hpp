#pragma once
// The provider's polling decisions, apart from the actor that acts on them: which watched
// instances to describe when, and what a describe's answer means for their owners.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_types.hpp"
#include "messages/instance_state.hpp"

namespace styx {

struct poll_policy {
  duration first_poll = milliseconds(100);  // after an instance starts moving; doubles per
                                            // poll up to interval
  duration interval = seconds(2);           // describe instances in transitional states
  duration sweep_interval = seconds(30);    // describe every watched instance (preemptions)
};

/// A poller keeps the table of watched instances (by cloud id: owner, last known state and
/// when that was learned) and the subset of them that is moving (in a transitional state).
/// It decides: when the next poll timer should fire (soon after an instance started moving,
/// first_poll doubling per poll up to interval; else interval), which ids a poll describes
/// (the moving ones, or every watched one once per sweep interval), and which updates the
/// answer of a describe means for which owner. A describe sent before an instance's state
/// was learned from a create or change answer is stale for that instance and ignored; an
/// id asked for but not answered has vanished (terminated, reason "vanished"). A poll is one
/// round of describe calls: the next round goes out only once every call of the last one was
/// answered or failed, so that rounds never overlap (a describe made for other reasons, such
/// as reading a state reason, is not part of a round).
/// It does no I/O: its owner sets the timers, sends the describes and delivers the updates.
///
/// Thread rules: none of its own. It is a plain value, not thread-safe; its one owner (the
/// provider actor) calls it from one thread at a time. It never reads a clock: every method
/// that needs time takes `now`.
///
/// Lifetimes: it holds a copy of each watched instance's `Owner` (a handle) from watch()
/// until the instance reaches a final state; nothing else outlives a call.
template <class Owner>
class poller {
public:
  /// An observation for the owner of one watched instance.
  struct update {
    Owner owner;
    cloud_instance instance;
  };

  /// What a poll timer means.
  struct round {
    bool polled = false;                        // false: a stale timer, or the last poll
                                                // is still unanswered
    std::vector<std::vector<std::string>> describe; // one describe call each
    std::optional<duration> timer;              // set the next poll timer to fire this soon
  };

  explicit poller(poll_policy policy = {}, time_point now = {})
    : policy_(policy), last_sweep_(now) {}

  /// Watches `cloud_id` for `owner`, whose state `state` was learned at `now` (a final state
  /// ends the watch). Returns the poll timer to set, if one must be set.
  std::optional<duration> watch(const std::string& cloud_id, Owner owner, instance_state state,
                                time_point now) {
    if (!is_final(state))
      watched_[cloud_id] = entry{std::move(owner), state, now};
    note_state(cloud_id, state);
    return schedule(now);
  }

  /// A poll timer fired at `now`. Describe calls carry at most `max_per_call` ids.
  round on_timer(time_point now, size_t max_per_call) {
    round r;
    if (!scheduled_ || now < next_poll_)
      return r; // a timer overtaken by an earlier one
    scheduled_ = false;
    if (outstanding_ > 0) { // calls of the last poll are still queued or on the wire
      r.timer = schedule(now);
      return r;
    }
    r.polled = true;
    delay_ = std::min(delay_ * 2, policy_.interval);
    bool sweep = now - last_sweep_ >= policy_.sweep_interval;
    if (sweep)
      last_sweep_ = now;
    std::vector<std::string> ids;
    if (sweep)
      for (auto& [id, e] : watched_)
        ids.push_back(id);
    else
      ids.assign(moving_.begin(), moving_.end());
    auto max = std::max<size_t>(1, max_per_call);
    for (size_t pos = 0; pos < ids.size(); pos += max) {
      auto end = std::min(ids.size(), pos + max);
      r.describe.emplace_back(ids.begin() + static_cast<ptrdiff_t>(pos),
                              ids.begin() + static_cast<ptrdiff_t>(end));
    }
    outstanding_ = r.describe.size();
    r.timer = schedule(now);
    return r;
  }

  /// The answer to a describe of `asked` sent at `sent_at`: the updates for the owners, in
  /// the order of `answered`, then the vanished ones in the order of `asked`. With
  /// `need_detail`, an instance that stopped or ended without being asked and whose answer
  /// gives no reason is not updated: its id goes to `need_detail`, for a describe with detail
  /// (the cheap status poll of EC2 carries no state reason). `of_round`: the describe was a
  /// call of a poll round (on_timer's), which is now answered.
  std::vector<update> on_described(time_point sent_at, const std::vector<std::string>& asked,
                                   const std::vector<cloud_instance>& answered,
                                   std::vector<std::string>* need_detail = nullptr,
                                   bool of_round = true) {
    if (of_round)
      round_call_ended();
    std::vector<update> out;
    std::unordered_set<std::string> seen;
    for (auto& inst : answered) {
      seen.insert(inst.cloud_id);
      auto i = watched_.find(inst.cloud_id);
      if (i == watched_.end() || i->second.last == inst.state)
        continue;
      // A describe sent before a change was answered shows the state before it: stale. Taken
      // as the truth, it would put a terminating instance back to running, out of the polls.
      if (sent_at < i->second.since)
        continue;
      if (need_detail != nullptr && inst.reason == state_reason::none
          && ended_unasked(i->second.last, inst.state)) {
        need_detail->push_back(inst.cloud_id);
        continue;
      }
      i->second.last = inst.state;
      out.push_back(update{i->second.owner, inst});
      note_state(inst.cloud_id, inst.state);
    }
    // Asked for but not answered: the cloud no longer knows the instance.
    for (auto& id : asked) {
      if (seen.count(id) > 0)
        continue;
      auto i = watched_.find(id);
      if (i == watched_.end() || sent_at < i->second.since)
        continue;
      cloud_instance gone;
      gone.cloud_id = id;
      gone.state = instance_state::terminated;
      gone.reason = state_reason::vanished;
      out.push_back(update{i->second.owner, gone});
      note_state(id, gone.state);
    }
    return out;
  }

  /// A state the cloud pushed (a watch event): the update for the owner of a watched instance
  /// whose state it changes, nullopt otherwise (not watched, or no change). A push is the
  /// cloud's own order of events, newer than any answer the provider had before it.
  std::optional<update> on_pushed(const cloud_instance& inst) {
    auto i = watched_.find(inst.cloud_id);
    if (i == watched_.end() || i->second.last == inst.state)
      return std::nullopt;
    i->second.last = inst.state;
    update u{i->second.owner, inst};
    note_state(inst.cloud_id, inst.state);
    return u;
  }

  /// The owner of a watched instance, or nullptr.
  const Owner* owner_of(const std::string& cloud_id) const {
    auto i = watched_.find(cloud_id);
    return i == watched_.end() ? nullptr : &i->second.owner;
  }

  /// Every watched id.
  std::vector<std::string> watched_ids() const {
    std::vector<std::string> ids;
    ids.reserve(watched_.size());
    for (auto& [id, e] : watched_)
      ids.push_back(id);
    return ids;
  }

  /// A describe failed (`of_round`: a call of a poll round): the next poll asks again.
  void on_describe_failed(bool of_round = true) {
    if (of_round)
      round_call_ended();
  }

  size_t watched() const { return watched_.size(); }
  size_t moving() const { return moving_.size(); }

private:
  /// Stopped or ended while the engine had not asked it to stop or end.
  static bool ended_unasked(instance_state last, instance_state now) {
    using s = instance_state;
    bool ended = now == s::stopped || now == s::terminated || now == s::terminating;
    return ended && last != s::stopping && last != s::terminating && last != s::stopped;
  }

  void round_call_ended() {
    if (outstanding_ > 0)
      --outstanding_;
  }

  struct entry {
    Owner owner;
    instance_state last;
    time_point since; // when `last` was learned from a create or change answer
  };

  /// The poll timer to set at `now`, if the pending one (if any) fires later than wanted. A
  /// poll wanted sooner than the pending one gets its own timer; the later timer then finds
  /// itself stale (on_timer checks next_poll_).
  std::optional<duration> schedule(time_point now) {
    if (watched_.empty())
      return std::nullopt;
    auto delay = moving_.empty() ? policy_.interval : std::min(delay_, policy_.interval);
    auto at = now + delay;
    if (scheduled_ && next_poll_ <= at)
      return std::nullopt;
    scheduled_ = true;
    next_poll_ = at;
    return delay;
  }

  /// Records the last state of a watched instance; a final one is no longer watched. The
  /// first instance to move after all had settled brings the next poll forward.
  void note_state(const std::string& cloud_id, instance_state state) {
    if (is_transitional(state)) {
      if (moving_.empty()) // the first to move since all were settled
        delay_ = policy_.first_poll;
      moving_.insert(cloud_id);
    } else {
      moving_.erase(cloud_id);
    }
    if (is_final(state))
      watched_.erase(cloud_id);
  }

  poll_policy policy_;
  std::unordered_map<std::string, entry> watched_; // by cloud id
  // The watched ids in a transitional state: what a poll asks about between sweeps. Kept
  // apart so that a poll costs the instances moving, not every live one.
  std::unordered_set<std::string> moving_;
  bool scheduled_ = false;
  time_point next_poll_{};  // when the pending poll timer fires; earlier timers are stale
  duration delay_{};        // first_poll, doubling per poll up to interval
  size_t outstanding_ = 0;  // calls of the last poll round not yet answered
  time_point last_sweep_{};
};

} // namespace styx
