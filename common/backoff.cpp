#include "common/backoff.hpp"

#include <algorithm>

namespace styx {

duration backoff::ceiling(int retry) const {
  auto result = policy_.base;
  for (int i = 1; i < retry && result < policy_.cap; ++i)
    result *= 2;
  return std::min(result, policy_.cap);
}

duration backoff::uniform_below(duration bound) {
  if (bound.count() <= 0)
    return duration::zero();
  return duration{std::uniform_int_distribution<duration::rep>{0, bound.count() - 1}(*rng_)};
}

duration backoff::delay(int retry, duration retry_after) {
  auto top = ceiling(retry);
  duration d = top;
  switch (policy_.jitter) {
    case jitter_mode::full: d = uniform_below(top); break;
    case jitter_mode::equal: d = top - top / 2 + uniform_below(top / 2); break;
    case jitter_mode::none: break;
  }
  return std::max(d, retry_after);
}

} // namespace styx
