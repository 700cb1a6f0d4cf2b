#pragma once
// Gives instances back the per-instance tags a crash kept from being set (reconcile_retag,
// runtime/reconcile.hpp): one EC2 CreateTags per instance, at most `concurrency` on the wire,
// a throttled or transient answer retried up to `attempts` times, 100 ms apart times the
// attempt. Blocks until every call is answered; returns one line per instance left untagged.

#include <cstddef>
#include <string>
#include <vector>

#include "providers/aws/ec2_api.hpp"
#include "runtime/reconcile.hpp"

namespace styx {

std::vector<std::string> apply_retags(ec2_api& api, const std::vector<reconcile_retag>& retags,
                                      size_t concurrency = 16, int attempts = 5);

} // namespace styx
