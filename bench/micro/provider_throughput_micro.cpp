// Provider actor message throughput: how many create requests per second one provider actor
// absorbs and answers, coalescing them into batches (up to 1000 per call, the unlimited
// engine's windows) against a cloud double that answers at once (instant_cloud.hpp).
//
// One iteration: C client actors each send N/C create_instance requests at once (prebuilt,
// untimed) and count the answers; timed from the first send to the last answer. Real CAF
// scheduler, one thread per core, so the clients' own work competes for the same cores just
// as instance actors do in the engine. Arguments: N / C / P, P the provider's poll interval in
// ms (5: the unlimited engine's; 0: polling out of the way, an hour).
//
// A client with K requests outstanding pays O(K) per answer (CAF 0.17 keeps pending
// responses in a flat map searched linearly), so C = 1 shows that cost, not the provider's.
//
//   styx_micro_provider_throughput [--benchmark_filter=/100000/100/]

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/provider.hpp"
#include "bench/micro/instant_cloud.hpp"
#include "bench/micro/micro_system.hpp"
#include "bench/micro/unlimited_engine.hpp"
#include "common/uuid.hpp"

namespace styx::micro {
namespace {

struct finish_line {
  std::atomic<int> clients_left{0};
  std::atomic<uint64_t> errors{0};
  std::promise<void> all_answered;
};

using batch = std::vector<create_instance>;

caf::behavior client(caf::event_based_actor* self, provider_actor p, std::shared_ptr<batch> msgs,
                     std::shared_ptr<finish_line> line) {
  auto left = std::make_shared<size_t>(msgs->size());
  auto one_done = [=] {
    if (--*left == 0) {
      if (--line->clients_left == 0)
        line->all_answered.set_value();
      self->quit();
    }
  };
  for (auto& m : *msgs)
    self->request(p, caf::infinite, std::move(m))
      .then([=](instance_update&) { one_done(); },
            [=](caf::error&) { ++line->errors; one_done(); });
  msgs->clear();
  return {[](instance_update&) {}}; // polling updates: none come from instant_cloud
}

std::vector<std::shared_ptr<batch>> make_batches(int n, int clients, uuid_generator& ids) {
  request_id req;
  static_cast<uuid&>(req) = ids.next();
  launch_spec spec;
  spec.instance_type = "m5.large";
  spec.zone = "local-1a";
  spec.tags[ownership_tag::engine] = ids.next().to_string();
  spec.tags[ownership_tag::request] = req.to_string();
  std::vector<std::shared_ptr<batch>> out;
  for (int c = 0; c < clients; ++c) {
    auto b = std::make_shared<batch>();
    for (int i = c; i < n; i += clients) {
      create_instance m;
      static_cast<uuid&>(m.id) = ids.next();
      m.request = req;
      m.name = "micro-" + std::to_string(i);
      m.spec = spec;
      b->push_back(std::move(m));
    }
    out.push_back(std::move(b));
  }
  return out;
}

void BM_provider_create_throughput(benchmark::State& state) {
  auto n = static_cast<int>(state.range(0));
  auto clients = static_cast<int>(state.range(1));
  micro_system_config cfg;
  caf::actor_system sys{cfg};
  uuid_generator ids{5};
  auto pcfg = unlimited_engine_config().providers.front().limits;
  pcfg.seed = 7;
  if (state.range(2) > 0)
    pcfg.poll_interval = milliseconds(state.range(2));
  else
    pcfg.poll_interval = std::chrono::hours(1);
  double seconds = 0;
  uint64_t calls = 0, answered = 0, errors = 0;
  for (auto _ : state) {
    auto cloud = std::make_shared<instant_cloud>();
    auto p = spawn_provider(sys, cloud, pcfg);
    auto batches = make_batches(n, clients, ids);
    auto line = std::make_shared<finish_line>();
    line->clients_left = clients;
    auto all = line->all_answered.get_future();
    auto t0 = std::chrono::steady_clock::now();
    for (auto& b : batches)
      sys.spawn(client, p, b, line);
    all.wait();
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    seconds += s;
    calls += cloud->calls;
    answered += static_cast<uint64_t>(n);
    errors += line->errors;
    caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  }
  if (errors != 0)
    state.SkipWithError("some creates were answered with an error");
  state.SetItemsProcessed(static_cast<int64_t>(answered));
  state.counters["creates_per_s"] = static_cast<double>(answered) / seconds;
  state.counters["api_calls"] = static_cast<double>(calls) / state.iterations();
  state.counters["instances_per_call"] =
    calls ? static_cast<double>(answered) / static_cast<double>(calls) : 0;
}

BENCHMARK(BM_provider_create_throughput)
  ->Args({10'000, 1, 5})->Args({30'000, 1, 5})
  ->Args({100'000, 100, 5})->Args({100'000, 100, 0})
  ->Args({1'000'000, 1000, 5})->Args({1'000'000, 1000, 0})
  ->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

} // namespace
} // namespace styx::micro

BENCHMARK_MAIN();
