#include "actors/provider_config.hpp"

namespace styx {

rate_limits rate_limits::unlimited() {
  rate_limits r;
  for (auto* b : {&r.create, &r.start, &r.mutate, &r.describe, &r.terminate, &r.create_instances,
                  &r.start_instances, &r.stop_instances, &r.terminate_instances})
    *b = bucket_config{};
  return r;
}

} // namespace styx
