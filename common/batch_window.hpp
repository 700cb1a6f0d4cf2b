#pragma once
// When to send a coalesced batch: after an idle gap with no new item, after a maximum wait
// from the first item, or as soon as it is full (Karpenter's batcher: 35 ms / 1 s / 1000).

#include <cstddef>

#include "common/time.hpp"

namespace styx {

struct window_policy {
  duration idle = milliseconds(35);
  duration max_wait = seconds(1);
  size_t max_items = 1000;
};

class batch_window {
public:
  explicit batch_window(window_policy policy = {}) : policy_(policy) {}

  /// Records `n` new items at `now`; the first opens the window.
  void add(time_point now, size_t n = 1);

  bool empty() const { return items_ == 0; }
  size_t size() const { return items_; }
  bool full() const { return items_ >= policy_.max_items; }

  /// When the batch is due: the earlier of (last item + idle) and (first item + max_wait).
  time_point deadline() const;

  /// Full, or past its deadline.
  bool ready(time_point now) const { return !empty() && (full() || now >= deadline()); }

  /// Closes the window after its batch went out (or `n` of its items did).
  void take(size_t n);

  const window_policy& policy() const { return policy_; }

private:
  window_policy policy_;
  size_t items_ = 0;
  time_point opened_{};
  time_point last_{};
};

} // namespace styx
