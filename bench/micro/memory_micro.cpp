// Memory per live instance: N instances brought to running through the engine (supervisor,
// instance actors, provider, simulated cloud) and left alive. Heap bytes in use (mallinfo2)
// and resident memory are taken after the engine started and again once all N run (and a
// second passed for the last events to drain).
//
// The simulated cloud lives in the same process and keeps its own record of every instance;
// it is not the engine. Its share is measured alone (a bare sim_cloud given the same N
// instances in create calls of 1000) and subtracted: engine_bytes_per_instance is what the
// target (<= 2 KiB per live instance) is about.
//
// For scale, BM_idle_caf_actor: the heap one idle CAF event-based actor costs, with its
// handle kept (an instance actor is one of these plus its state).
//
//   styx_micro_memory [--benchmark_filter=/100000]   (1M takes minutes on 2 cores)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "bench/micro/measure.hpp"
#include "bench/micro/micro_system.hpp"
#include "bench/micro/unlimited_engine.hpp"
#include "common/uuid.hpp"
#include "providers/sim/sim_cloud.hpp"

namespace styx::micro {
namespace {

constexpr double target_bytes_per_instance = 2048;

/// Heap bytes a bare simulated cloud holds for `n` live instances.
double sim_bytes_per_instance(int n) {
  system_clock clk;
  auto before = heap_in_use();
  double per = 0;
  {
    auto cfg = sim_config::unlimited();
    cfg.regions = {"us-east-1"};
    sim_cloud cloud{cfg, clk};
    api_call cat;
    cat.op = api_op::catalog;
    auto offerings = cloud.handle("us-east-1", cat).offerings;
    uuid_generator ids{3};
    request_id req;
    static_cast<uuid&>(req) = ids.next();
    api_call call;
    call.op = api_op::create;
    if (!offerings.empty()) {
      call.spec.instance_type = offerings.front().instance_type;
      call.spec.zone = offerings.front().zone;
    }
    call.spec.tags[ownership_tag::engine] = ids.next().to_string();
    call.spec.tags[ownership_tag::request] = req.to_string();
    for (int i = 0; i < n; i += 1000) {
      call.slots.clear();
      for (int k = i; k < std::min(n, i + 1000); ++k) {
        create_slot s;
        static_cast<uuid&>(s.id) = ids.next();
        s.request = req;
        s.name = "micro-" + std::to_string(k);
        call.slots.push_back(std::move(s));
      }
      call.client_token = "micro-" + std::to_string(i);
      if (cloud.handle("us-east-1", call).error)
        return -1;
    }
    call.slots.clear();
    per = (static_cast<double>(heap_in_use()) - static_cast<double>(before)) / n;
    if (cloud.live_count() != static_cast<size_t>(n))
      return -1;
  }
  return per;
}

void BM_memory_per_live_instance(benchmark::State& state) {
  auto n = static_cast<int>(state.range(0));
  double heap = 0, rss = 0, seconds = 0;
  for (auto _ : state) {
    auto eng = engine::start(unlimited_engine_config());
    trim_heap();
    auto heap0 = heap_in_use();
    auto rss0 = rss_now();
    auto t0 = std::chrono::steady_clock::now();
    auto h = eng->submit(provision_request::make("micro", resources{}.cpus(1).memory_gib(1))
                           .count(n));
    auto result = h.wait();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(seconds);
    if (result.running != n) {
      state.SkipWithError("not every instance ran");
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1)); // events still on their way drain
    trim_heap();
    heap = (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / n;
    rss = (static_cast<double>(rss_now()) - static_cast<double>(rss0)) / n;
    eng->shutdown(); // the live instances end with the supervisor; not measured
  }
  if (heap == 0)
    return;
  trim_heap();
  auto sim = sim_bytes_per_instance(n);
  auto engine_only = heap - sim;
  state.counters["heap_bytes_per_instance"] = heap; // engine and simulated cloud
  state.counters["rss_bytes_per_instance"] = rss;
  state.counters["sim_bytes_per_instance"] = sim;
  state.counters["engine_bytes_per_instance"] = engine_only;
  state.counters["target_bytes_per_instance"] = target_bytes_per_instance;
  state.counters["engine_vs_target"] = engine_only / target_bytes_per_instance; // <= 1: met
  state.counters["seconds_to_running"] = seconds;
}

BENCHMARK(BM_memory_per_live_instance)
  ->Arg(100'000)->Arg(1'000'000)->Iterations(1)
  ->UseManualTime()->Unit(benchmark::kSecond);

caf::behavior idle(caf::event_based_actor*, int) {
  return {[](int) {}};
}

void BM_idle_caf_actor(benchmark::State& state) {
  auto n = static_cast<size_t>(state.range(0));
  double per = 0;
  for (auto _ : state) {
    micro_system_config cfg;
    caf::actor_system sys{cfg};
    std::vector<caf::actor> actors;
    actors.reserve(n);
    trim_heap();
    auto before = heap_in_use();
    for (size_t i = 0; i < n; ++i)
      actors.push_back(sys.spawn(idle, 0));
    per = (static_cast<double>(heap_in_use()) - static_cast<double>(before)) / n;
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    actors.clear();
    sys.await_all_actors_done();
  }
  state.counters["bytes_per_actor"] = per;
  state.counters["target_bytes_per_instance"] = target_bytes_per_instance;
}

BENCHMARK(BM_idle_caf_actor)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);

} // namespace
} // namespace styx::micro

BENCHMARK_MAIN();
