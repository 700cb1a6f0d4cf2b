#pragma once
// What the engine (and a node) gets from a cloud's make_*_cloud(): the cloud_api of one
// region, or one line saying why it could not be made. A plain value.

#include <string>

#include "providers/cloud_api.hpp"

namespace styx {

/// A cloud_api the engine made, or why it could not (aws, gcp, azure, kubernetes).
struct made_cloud {
  cloud_api_ptr api;        // null when `error` is set
  std::string error;        // one line, no secret
  std::string description;  // where the settings came from, no secret (for the log)
};

} // namespace styx
