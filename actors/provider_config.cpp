#include "actors/provider_config.hpp"

namespace styx {

rate_limits rate_limits::unlimited() {
  rate_limits r;
  for (auto* b : {&r.create, &r.start, &r.mutate, &r.describe, &r.terminate, &r.create_instances,
                  &r.start_instances, &r.stop_instances, &r.terminate_instances})
    *b = bucket_config{};
  return r;
}

void rate_limits::scale_refill(double k) {
  for (auto* b : {&create, &start, &mutate, &describe, &terminate, &create_instances,
                  &start_instances, &stop_instances, &terminate_instances})
    b->refill_per_sec *= k;
}

} // namespace styx
