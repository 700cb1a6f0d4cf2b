// Full lifecycles per second (provision -> running -> terminated) through the whole engine on
// a zero-latency, unlimited simulated cloud: the engine's own cost per instance.
//
// One iteration: a fresh engine, one request of N instances, wait until all run, terminate
// everything, wait until all are terminated. Timed (manually) from the submit to the last
// terminated event; starting and stopping the engine is not. Target: >= 100k lifecycles/s.
//
//   styx_micro_lifecycle [--benchmark_filter=/100000]

#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/micro/unlimited_engine.hpp"
#include "runtime/bench.hpp"

namespace styx::micro {
namespace {

constexpr double target_lifecycles_per_s = 100'000;

void BM_full_lifecycles(benchmark::State& state) {
  auto n = static_cast<int>(state.range(0));
  double seconds = 0, up = 0, cpu = 0;
  int64_t done = 0;
  for (auto _ : state) {
    auto eng = engine::start(unlimited_engine_config());
    state_counter terminated{*eng, instance_state::terminated};
    auto c0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto h = eng->submit(provision_request::make("micro", resources{}.cpus(1).memory_gib(1))
                           .count(n));
    auto result = h.wait();
    auto t1 = std::chrono::steady_clock::now();
    eng->terminate(selector::everything());
    bool all = terminated.wait_for(static_cast<uint64_t>(n), std::chrono::minutes(10));
    auto t2 = std::chrono::steady_clock::now();
    cpu += process_cpu_seconds() - c0;
    if (result.running != n || !all) {
      state.SkipWithError("not every instance ran and terminated");
      break;
    }
    auto s = std::chrono::duration<double>(t2 - t0).count();
    state.SetIterationTime(s);
    seconds += s;
    up += std::chrono::duration<double>(t1 - t0).count();
    done += n;
    eng->shutdown();
  }
  if (done == 0)
    return;
  state.SetItemsProcessed(done);
  auto rate = static_cast<double>(done) / seconds;
  state.counters["lifecycles_per_s"] = rate;
  state.counters["target_lifecycles_per_s"] = target_lifecycles_per_s;
  state.counters["of_target"] = rate / target_lifecycles_per_s; // >= 1: met
  state.counters["up_share"] = up / seconds;                    // of the time, until all ran
  state.counters["cpu_us_per_lifecycle"] = cpu * 1e6 / static_cast<double>(done);
}

BENCHMARK(BM_full_lifecycles)
  ->Arg(10'000)->Iterations(3)
  ->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_full_lifecycles)
  ->Arg(100'000)->Iterations(1)
  ->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace
} // namespace styx::micro

BENCHMARK_MAIN();
