// Full lifecycles per second (provision -> running -> terminated) through the whole engine on
// a zero-latency, unlimited simulated cloud: the engine's own cost per instance.
//
// One iteration: a fresh engine, one request of N instances, wait until all run, terminate
// everything, wait until all are terminated. Timed (manually) from the submit to the last
// terminated event; starting and stopping the engine is not. Target: >= 100k lifecycles/s.
// BM_full_lifecycles_terminate_by_request is a diagnostic, not the figure.
//
//   styx_micro_lifecycle [--benchmark_filter=/100000]

#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "bench/micro/unlimited_engine.hpp"
#include "runtime/bench.hpp"

namespace styx::micro {
namespace {

constexpr double target_lifecycles_per_s = 100'000;

/// One timed run: `n` instances as `requests` equal requests, to running, then terminated.
/// by_request: terminated one request at a time with at most two requests' terminates
/// outstanding; otherwise all at once with selector::everything().
void run_lifecycles(benchmark::State& state, int n, int requests, bool by_request) {
  double seconds = 0, up = 0, cpu = 0;
  int64_t done = 0;
  int per = n / requests;
  for (auto _ : state) {
    auto eng = engine::start(unlimited_engine_config());
    state_counter terminated{*eng, instance_state::terminated};
    auto c0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    std::vector<request_handle> handles;
    for (int r = 0; r < requests; ++r)
      handles.push_back(eng->submit(
        provision_request::make("micro", resources{}.cpus(1).memory_gib(1)).count(per)));
    int running = 0;
    for (auto& h : handles)
      running += h.wait().running;
    auto t1 = std::chrono::steady_clock::now();
    if (!by_request) {
      eng->terminate(selector::everything());
    } else {
      for (int r = 0; r < requests; ++r) {
        if (r >= 2)
          terminated.wait_for(static_cast<uint64_t>((r - 1) * per), std::chrono::minutes(1));
        selector sel;
        sel.requests.push_back(handles[static_cast<size_t>(r)].id());
        eng->terminate(sel);
      }
    }
    bool all = terminated.wait_for(static_cast<uint64_t>(per * requests),
                                   std::chrono::minutes(10));
    auto t2 = std::chrono::steady_clock::now();
    cpu += process_cpu_seconds() - c0;
    if (running != per * requests || !all) {
      state.SkipWithError("not every instance ran and terminated");
      break;
    }
    auto s = std::chrono::duration<double>(t2 - t0).count();
    state.SetIterationTime(s);
    seconds += s;
    up += std::chrono::duration<double>(t1 - t0).count();
    done += per * requests;
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

/// The figure: one request of N, everything terminated at once.
void BM_full_lifecycles(benchmark::State& state) {
  run_lifecycles(state, static_cast<int>(state.range(0)), 1, false);
}

/// A diagnostic: N as R requests, terminated request by request, so that the supervisor never
/// has more than two requests' worth of change answers pending (see README, profile).
void BM_full_lifecycles_terminate_by_request(benchmark::State& state) {
  run_lifecycles(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                 true);
}

BENCHMARK(BM_full_lifecycles)
  ->Arg(10'000)->Iterations(3)
  ->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_full_lifecycles)
  ->Arg(100'000)->Iterations(1)
  ->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_full_lifecycles_terminate_by_request)
  ->Args({100'000, 100})->Iterations(1)
  ->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace
} // namespace styx::micro

BENCHMARK_MAIN();
