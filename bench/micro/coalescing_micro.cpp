// Coalescing efficiency: API calls per instance when a burst of N creates hits one provider
// actor at once, one create per client actor (N requests of 1, as N instance actors send
// them), against a simulated cloud with EC2's buckets on both sides, 40 ms median API latency
// and a 0.5-1.5 s boot (the `styx bench` ec2 profile, refills x100 so that it ends in
// seconds). Counted until every instance runs: create calls, all calls (describes included)
// and throttles, and the time against the bound the create buckets allow.
//
//   styx_micro_coalescing [--benchmark_filter=/1000]

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/actor_timer.hpp"
#include "actors/clock_adapter.hpp"
#include "actors/provider.hpp"
#include "bench/micro/counting_api.hpp"
#include "bench/micro/micro_system.hpp"
#include "common/uuid.hpp"
#include "providers/sim/sim_api.hpp"
#include "runtime/bench.hpp"
#include "runtime/bench_plan.hpp"

namespace styx::micro {
namespace {

constexpr double rate_scale = 100;

struct finish_line {
  std::atomic<int> left{0};
  std::atomic<uint64_t> errors{0};
  std::promise<void> all_running;
  void one_done() {
    if (--left == 0)
      all_running.set_value();
  }
};

/// Sends one create; done when its instance runs (in the answer or in a later update).
caf::behavior creator(caf::event_based_actor* self, provider_actor p, create_instance msg,
                      std::shared_ptr<finish_line> line) {
  auto finish = [=] {
    line->one_done();
    self->quit();
  };
  self->request(p, caf::infinite, std::move(msg))
    .then(
      [=](instance_update& u) {
        if (u.error) {
          ++line->errors;
          finish();
        } else if (u.instance.state == instance_state::running) {
          finish();
        }
      },
      [=](caf::error&) {
        ++line->errors;
        finish();
      });
  return {[=](instance_update& u) {
    if (u.instance.state == instance_state::running)
      finish();
  }};
}

void BM_create_burst_coalescing(benchmark::State& state) {
  auto n = static_cast<int>(state.range(0));
  bench_options opts;
  opts.profile = "ec2";
  opts.rate_scale = rate_scale;
  auto ecfg = bench_config(opts);
  auto sim_cfg = ecfg.sim;
  sim_cfg.regions = {"us-east-1"};
  auto pcfg = ecfg.providers.front().limits;
  pcfg.seed = 7;
  double seconds = 0;
  uint64_t creates = 0, total = 0, throttled = 0, errors = 0;
  for (auto _ : state) {
    micro_system_config cfg;
    caf::actor_system sys{cfg};
    actor_clock_adapter clk{sys.clock(), false};
    actor_timer tmr{sys};
    auto cloud = std::make_shared<sim_cloud>(sim_cfg, clk);
    auto api = std::make_shared<counting_api>(
      std::make_shared<sim_api>(cloud, provider_id{"sim", "us-east-1"}, tmr));
    auto p = spawn_provider(sys, api, pcfg);
    uuid_generator ids{9};
    request_id req;
    static_cast<uuid&>(req) = ids.next();
    launch_spec spec;
    spec.instance_type = "t3.micro";
    spec.zone = "us-east-1a";
    spec.tags[ownership_tag::engine] = ids.next().to_string();
    spec.tags[ownership_tag::request] = req.to_string();
    auto line = std::make_shared<finish_line>();
    line->left = n;
    auto all = line->all_running.get_future();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      create_instance m;
      static_cast<uuid&>(m.id) = ids.next();
      m.request = req;
      m.name = "burst-" + std::to_string(i);
      m.spec = spec;
      sys.spawn(creator, p, std::move(m), line);
    }
    all.wait();
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    seconds += s;
    creates += api->calls(api_op::create);
    total += api->total();
    throttled += api->throttled();
    errors += line->errors;
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    tmr.stop();
    sys.await_all_actors_done();
  }
  if (errors != 0)
    state.SkipWithError("some creates failed");
  auto instances = static_cast<double>(n) * static_cast<double>(state.iterations());
  auto bound = create_bound_seconds(pcfg.limits, n);
  state.SetItemsProcessed(static_cast<int64_t>(instances));
  state.counters["create_calls"] = static_cast<double>(creates) / state.iterations();
  state.counters["create_calls_per_instance"] = static_cast<double>(creates) / instances;
  state.counters["api_calls_per_instance"] = static_cast<double>(total) / instances;
  state.counters["throttled"] = static_cast<double>(throttled) / state.iterations();
  state.counters["create_bound_s"] = bound;
  state.counters["seconds_to_running"] = seconds / state.iterations();
  // The bound counts creates only; running also waits for a boot and a poll after it.
  state.counters["bound_over_seconds"] = bound > 0 ? bound * state.iterations() / seconds : 0;
}

BENCHMARK(BM_create_burst_coalescing)
  ->Arg(1'000)->Arg(10'000)->Iterations(1)
  ->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace
} // namespace styx::micro

BENCHMARK_MAIN();
