#pragma once
// How the "local" cloud runs its processes (engine_config::local): the command of a request
// without an image, the machine's size as the capacity counts it, and the grace period of a
// terminate.

#include <string>

#include "common/time.hpp"

namespace styx {

struct local_options {
  std::string default_command = "sleep infinity"; // a request without `image` runs this
  double cpus = 0;              // vCPUs on offer; 0: the machine's cores x cpu_overcommit
  double cpu_overcommit = 8;    // vCPUs per core (processes mostly wait; a cloud sells vCPUs)
  double memory_gib = 0;        // memory on offer; 0: the machine's physical memory
  duration grace = seconds(5);  // terminate: SIGTERM, then SIGKILL after this
};

} // namespace styx
