#include "providers/gcp/gcp_options.hpp"

#include <algorithm>

namespace styx {

ec2_rate_limits gcp_rate_limits(const gcp_quotas& quotas, size_t regions) {
  auto share = [&](double per_minute) {
    if (per_minute <= 0)
      return bucket_config{};
    auto mine = per_minute / static_cast<double>(std::max<size_t>(1, regions));
    return bucket_config{mine, mine / 60.0};
  };
  auto limits = ec2_rate_limits::unlimited();
  limits.create = limits.start = limits.mutate = limits.terminate =
    share(quotas.mutations_per_minute);
  limits.describe = share(quotas.reads_per_minute);
  return limits;
}

} // namespace styx
