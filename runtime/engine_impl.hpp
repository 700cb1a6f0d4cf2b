#pragma once
// Internal to the engine (runtime/engine*.cpp): what an engine holds, engine::impl, so that
// the facade's methods can live in several files. Not a public header.
//
// Thread rules: the facade's (runtime/engine.hpp); the members that change after start()
// are the actor system's own and the thread-safe hub, store and metrics. Lifetimes: owned by
// the engine; members are destroyed in reverse order of declaration, after stop() ended
// every actor.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/actor_timer.hpp"
#include "actors/clock_adapter.hpp"
#include "providers/sim/sim_api.hpp"
#include "runtime/engine.hpp"
#include "runtime/engine_events.hpp"
#include "runtime/engine_metrics.hpp"
#include "runtime/gcp_cloud.hpp"
#include "runtime/http_engine.hpp"
#include "runtime/local_cloud.hpp"
#include "runtime/node_client.hpp"
#include "runtime/state_dir.hpp"
#include "runtime/store.hpp"

namespace styx {

/// The actor system's settings from an engine_config: threads, scheduler, node networking.
class engine_system_config : public caf::actor_system_config {
public:
  explicit engine_system_config(const engine_config& cfg);
};

struct engine::impl {
  engine_config cfg;
  std::unique_ptr<state_dir_lock> lock;
  std::unique_ptr<http_engine> http; // the clouds' HTTP, made on first use; outlives the actors
  gcp_token_source_ptr gcp_tokens;   // one for every gcp region, made on first use
  std::unique_ptr<process_manager> local_host; // the local cloud's, made on first use;
                                               // outlives the actors
  token_source_ptr azure_tokens;     // one for every azure location, made on first use
  engine_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<actor_clock_adapter> clk;
  std::unique_ptr<actor_timer> tmr;
  std::shared_ptr<sim_cloud> sim;
  std::vector<provider_actor> providers; // the local ones
  std::vector<unavailable_provider> unavailable; // local ones left out (skip_unavailable)
  std::shared_ptr<node_directory> directory = std::make_shared<node_directory>();
  supervisor_actor supervisor;
  caf::actor bridge;
  std::shared_ptr<event_hub> hub = std::make_shared<event_hub>();
  std::shared_ptr<uuid_generator> ids;
  std::shared_ptr<store> db; // <state_dir>/styx.db; null without a state dir
  std::shared_ptr<std::mutex> sim_save_mtx = std::make_shared<std::mutex>();
  bool stopped = false;
  bool sim_loaded = false;

  std::shared_ptr<engine_metrics> metrics; // made in start(), with the clock

  explicit impl(engine_config c) : cfg(std::move(c)), sys_cfg(cfg) {}

  /// Asks the supervisor and waits; throws engine_error with its error.
  template <class T, class... Ts>
  T ask(Ts&&... xs) {
    caf::scoped_actor self{*sys};
    T result{};
    std::string err;
    self->request(supervisor, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& e) { err = sys->render(e); });
    if (!err.empty())
      throw engine_error(err);
    return result;
  }


  /// The cloud of one provider; null when it is left out (skip_unavailable). Throws
  /// engine_error (after stop()). In engine_clouds.cpp.
  cloud_api_ptr make_cloud(const std::string& cloud, const std::string& region);
  void start();
  /// The nodes and where each answered, in <state_dir>/nodes (runtime/node_memory.hpp).
  void remember_nodes(const std::map<std::string, std::string>& addresses);
  void stop();
};

} // namespace styx
