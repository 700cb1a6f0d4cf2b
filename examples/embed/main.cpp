// Styx embedded in another program: 100 instances on the simulated cloud through the facade
// (runtime/engine.hpp), every event printed, then all terminated. Exits 1 when anything is off
// (a request that did not run them all, an instance not terminated, a metric missing).

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>

#include "runtime/engine.hpp"

namespace {

const char* kind_of(const styx::engine_event& ev) {
  if (std::holds_alternative<styx::instance_state_changed>(ev))
    return "state";
  if (std::holds_alternative<styx::request_progress>(ev))
    return "progress";
  if (std::holds_alternative<styx::request_done>(ev))
    return "done";
  return "provider";
}

} // namespace

int main() {
  using namespace std::chrono_literals;
  styx::engine_config cfg; // the simulated cloud, in memory
  cfg.threads = 2;
  cfg.sim.regions = {"us-east-1"};
  cfg.sim.pending_min = 20ms; // a quick cloud: the example runs in seconds
  cfg.sim.pending_max = 200ms;
  cfg.sim.transition_min = 20ms;
  cfg.sim.transition_max = 200ms;
  cfg.providers[0].limits.poll_interval = 100ms;
  // What the callback captures is declared before the engine, so that it outlives the engine
  // on every way out of main (or unsubscribe first: eng->unsubscribe(id)).
  std::mutex out;
  std::atomic<int> events{0};
  std::atomic<int> running{0};
  auto eng = styx::engine::start(cfg);

  eng->subscribe([&](const styx::engine_event& ev) {
    ++events;
    std::lock_guard<std::mutex> guard{out};
    std::cout << "event " << kind_of(ev);
    if (auto* c = std::get_if<styx::instance_state_changed>(&ev)) {
      std::cout << ' ' << c->record.name << ' ' << to_string(c->from) << " -> "
                << to_string(c->record.state);
      if (c->record.state == styx::instance_state::running)
        ++running;
    } else if (auto* p = std::get_if<styx::request_progress>(&ev)) {
      std::cout << " running " << p->running << '/' << p->count;
    } else if (auto* d = std::get_if<styx::request_done>(&ev)) {
      std::cout << " ok=" << d->ok << " running " << d->running << '/' << d->count;
    }
    std::cout << '\n';
  });

  auto h = eng->submit(
    styx::provision_request::make("embed", styx::resources{}.cpus(2).memory_gib(4)).count(100));
  auto done = h.wait_for(5min);
  if (!done || !done->ok || done->running != 100) {
    std::cerr << "embed: the request did not run 100 instances\n";
    return 1;
  }
  auto metrics = eng->metrics_text();
  if (metrics.find("styx_instances_created_total{provider=\"sim/us-east-1\"} 100\n")
      == std::string::npos) {
    std::cerr << "embed: styx_instances_created_total is not 100:\n" << metrics;
    return 1;
  }
  auto all = styx::selector::everything();
  int asked = eng->terminate(all);
  bool ended = eng->wait_for_state(all, styx::instance_state::terminated, 5min);
  int terminated = 0;
  for (auto& r : eng->list())
    terminated += r.state == styx::instance_state::terminated ? 1 : 0;
  eng->shutdown();
  std::cout << "embed: " << running.load() << " ran, " << asked << " asked to terminate, "
            << terminated << " terminated, " << events.load() << " events\n";
  if (asked != 100 || !ended || terminated != 100 || running.load() != 100) {
    std::cerr << "embed: not every instance ran and ended\n";
    return 1;
  }
  return 0;
}
