#include "providers/azure/azure_options.hpp"

#include <algorithm>

namespace styx {

ec2_rate_limits azure_rate_limits(const azure_limits& limits, size_t regions) {
  auto share = [n = static_cast<double>(std::max<size_t>(1, regions))](bucket_config b) {
    if (b.capacity <= 0)
      return bucket_config{};
    return bucket_config{std::max(1.0, b.capacity / n), b.refill_per_sec / n};
  };
  auto out = ec2_rate_limits::unlimited();
  out.create = share(limits.writes); // one VM a call: a call is a request
  out.start_instances = out.stop_instances = share(limits.writes); // a request per VM
  out.terminate_instances = share(limits.deletes);
  out.describe = share(limits.reads);
  return out;
}

} // namespace styx
