#pragma once
// A token bucket that refills lazily from the `now` its caller passes (Envoy-style: no timer,
// no clock of its own). Consumption is all-or-nothing.

#include <limits>

#include "common/time.hpp"

namespace styx {

struct bucket_config {
  double capacity = 0;       // tokens when full; the bucket starts full
  double refill_per_sec = 0; // <= 0 together with capacity <= 0: unlimited

  bool unlimited() const { return capacity <= 0 && refill_per_sec <= 0; }
};

class token_bucket {
public:
  token_bucket() = default; // unlimited
  token_bucket(bucket_config cfg, time_point now);

  /// Takes `n` tokens if all are there; otherwise takes none.
  bool try_consume(double n, time_point now);

  /// Tokens there now.
  double available(time_point now);

  /// How long until `n` tokens are there: zero if now; duration::max() if never (n > capacity).
  duration time_until(double n, time_point now);

  /// Takes `n` tokens whatever is there, going into debt if need be: for requests already
  /// made (the follow-up pages of a call). Later takes wait until the debt is refilled.
  void charge(double n, time_point now);

  /// Empties the bucket, e.g. when the server said we were too fast.
  void drain(time_point now);

  /// Lowers the tokens to `n` when there are more, e.g. when the server said that only `n` are
  /// left of its budget; true when it lowered them by at least one token.
  bool cap(double n, time_point now);

  bool unlimited() const { return cfg_.unlimited(); }
  const bucket_config& config() const { return cfg_; }

private:
  void refill(time_point now);

  bucket_config cfg_;
  double tokens_ = 0;
  time_point last_{};
};

} // namespace styx
