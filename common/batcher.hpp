#pragma once
// Coalescing of identical requests (in the spirit of Karpenter's pkg/batcher): requests with
// the same key that arrive within one batch_window go out together, in calls of at most the
// cloud's batch size.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/batch_window.hpp"
#include "common/time.hpp"

namespace styx {

/// A batcher holds requests (`Item`s) grouped by `Key`, one batch_window per key, until their
/// batch is due (idle gap, maximum wait, or full) and then hands them out as calls: each call
/// carries at most `max_per_call(key)` items, the items of one key keep their arrival order
/// across its calls, and keys come out in `Key` order. Because of that order, a caller that
/// gets the answers of a call back positionally (the i-th result for the i-th item) hands the
/// results back to its requesters in input order.
///
/// Thread rules: none of its own. It is a plain value, not thread-safe; its one owner (the
/// provider actor) calls it from one thread at a time. It never reads a clock: every method
/// that needs time takes `now`.
///
/// Lifetimes: it owns the items it holds until take(), take_due() or take_if() moves them out
/// into the returned calls; it keeps no reference to anything of its callers'. `max_per_call`
/// is kept and called at take time, so whatever it captures must outlive the batcher.
template <class Key, class Item>
class batcher {
public:
  /// Items of one key that go out in one call, in arrival order.
  struct call {
    Key key;
    std::vector<Item> items;
  };

  using max_fn = std::function<size_t(const Key&)>;

  /// `max_per_call`: the most items one call with that key may carry (at least 1 is used);
  /// none: only the window's max_items bounds a call.
  explicit batcher(window_policy policy = {}, max_fn max_per_call = {})
    : policy_(policy), max_per_call_(std::move(max_per_call)) {}

  /// Adds `item` to the batch of `key` at `now`; the first item opens the key's window.
  /// Returns true when that batch is full now: take(key) it at once.
  bool add(const Key& key, Item item, time_point now) {
    auto [it, added] = batches_.try_emplace(key, policy_);
    it->second.items.push_back(std::move(item));
    it->second.window.add(now);
    return it->second.window.full();
  }

  /// When the batch of `key` is due; none when nothing of `key` waits.
  std::optional<time_point> deadline(const Key& key) const {
    auto i = batches_.find(key);
    if (i == batches_.end())
      return std::nullopt;
    return i->second.window.deadline();
  }

  /// The earliest deadline of all waiting batches; none when nothing waits.
  std::optional<time_point> next_deadline() const {
    std::optional<time_point> next;
    for (auto& [key, b] : batches_)
      if (!next || b.window.deadline() < *next)
        next = b.window.deadline();
    return next;
  }

  /// The whole batch of `key` (due or not), split into calls; empty when nothing waits.
  std::vector<call> take(const Key& key) {
    std::vector<call> out;
    auto i = batches_.find(key);
    if (i != batches_.end()) {
      split(i->first, i->second.items, out);
      batches_.erase(i);
    }
    return out;
  }

  /// Every batch due at `now` (full, or past its deadline), split into calls, by key order.
  std::vector<call> take_due(time_point now) {
    return take_where([now](const Key&, const batch& b) { return b.window.ready(now); });
  }

  /// Every batch whose key `pred` selects (due or not), split into calls, by key order: what
  /// the owner withdraws before it goes out.
  template <class Pred>
  std::vector<call> take_if(Pred pred) {
    return take_where([&pred](const Key& key, const batch&) { return pred(key); });
  }

  bool empty() const { return batches_.empty(); }

  /// Items waiting, over all keys.
  size_t size() const {
    size_t n = 0;
    for (auto& [key, b] : batches_)
      n += b.items.size();
    return n;
  }

private:
  struct batch {
    explicit batch(window_policy policy) : window(policy) {}
    batch_window window;
    std::vector<Item> items;
  };

  template <class Pred>
  std::vector<call> take_where(Pred pred) {
    std::vector<call> out;
    for (auto i = batches_.begin(); i != batches_.end();) {
      if (pred(i->first, i->second)) {
        split(i->first, i->second.items, out);
        i = batches_.erase(i);
      } else {
        ++i;
      }
    }
    return out;
  }

  void split(const Key& key, std::vector<Item>& items, std::vector<call>& out) const {
    size_t max = max_per_call_ ? std::max<size_t>(1, max_per_call_(key)) : items.size();
    for (size_t pos = 0; pos < items.size(); pos += max) {
      auto end = std::min(items.size(), pos + max);
      call c{key, {}};
      c.items.assign(std::make_move_iterator(items.begin() + static_cast<ptrdiff_t>(pos)),
                     std::make_move_iterator(items.begin() + static_cast<ptrdiff_t>(end)));
      out.push_back(std::move(c));
    }
  }

  window_policy policy_;
  max_fn max_per_call_;
  std::map<Key, batch> batches_;
};

} // namespace styx
