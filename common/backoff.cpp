#include "common/backoff.hpp"

#include <algorithm>

namespace styx {

duration backoff::delay(int retry, duration retry_after) {
  auto ceiling = policy_.base;
  for (int i = 1; i < retry && ceiling < policy_.cap; ++i)
    ceiling *= 2;
  ceiling = std::min(ceiling, policy_.cap);
  auto ticks = ceiling.count() > 0
                 ? std::uniform_int_distribution<duration::rep>{0, ceiling.count() - 1}(*rng_)
                 : duration::rep{0};
  return std::max(duration{ticks}, retry_after);
}

} // namespace styx
