#pragma once
// A CAF actor system set up as the engine sets up its own (runtime/engine.cpp): every Styx
// message type registered, the sharing scheduler, one thread per core. For micro-benchmarks
// that spawn a provider actor alone, without a supervisor.

#include <algorithm>
#include <thread>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include "actors/registry.hpp"

namespace styx::micro {

struct micro_system_config : caf::actor_system_config {
  micro_system_config() {
    add_actor_types(*this);
    set("scheduler.max-threads", static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

} // namespace styx::micro
