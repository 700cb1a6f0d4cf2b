#include "common/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace styx {

token_bucket::token_bucket(bucket_config cfg, time_point now)
  : cfg_(cfg), tokens_(cfg.capacity), last_(now) {
  // nop
}

void token_bucket::refill(time_point now) {
  if (now <= last_)
    return;
  tokens_ = std::min(cfg_.capacity, tokens_ + to_seconds(now - last_) * cfg_.refill_per_sec);
  last_ = now;
}

bool token_bucket::try_consume(double n, time_point now) {
  if (unlimited())
    return true;
  refill(now);
  if (tokens_ + 1e-9 < n)
    return false;
  tokens_ = std::max(0.0, tokens_ - n);
  return true;
}

double token_bucket::available(time_point now) {
  if (unlimited())
    return std::numeric_limits<double>::infinity();
  refill(now);
  return tokens_;
}

duration token_bucket::time_until(double n, time_point now) {
  if (unlimited())
    return duration::zero();
  refill(now);
  if (tokens_ + 1e-9 >= n)
    return duration::zero();
  if (n > cfg_.capacity || cfg_.refill_per_sec <= 0)
    return duration::max();
  auto secs = (n - tokens_) / cfg_.refill_per_sec;
  // Round up to whole microseconds, so that waiting this long is always enough.
  return std::chrono::microseconds(static_cast<int64_t>(std::ceil(secs * 1e6)));
}

void token_bucket::charge(double n, time_point now) {
  if (unlimited())
    return;
  refill(now);
  tokens_ -= n;
}

void token_bucket::drain(time_point now) {
  refill(now);
  tokens_ = 0;
}

bool token_bucket::cap(double n, time_point now) {
  if (unlimited())
    return false;
  refill(now);
  if (tokens_ < n + 1)
    return false;
  tokens_ = std::max(0.0, n);
  return true;
}

} // namespace styx
