#include "common/batch_window.hpp"

#include <algorithm>

namespace styx {

void batch_window::add(time_point now, size_t n) {
  if (n == 0)
    return;
  if (items_ == 0)
    opened_ = now;
  last_ = now;
  items_ += n;
}

time_point batch_window::deadline() const {
  return std::min(last_ + policy_.idle, opened_ + policy_.max_wait);
}

void batch_window::take(size_t n) {
  items_ = n >= items_ ? 0 : items_ - n;
  // Items left behind (the batch was capped) are due at once: they already waited.
  if (items_ > 0)
    opened_ = last_ - policy_.max_wait;
}

} // namespace styx
