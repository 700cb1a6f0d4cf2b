#pragma once
// Checks the cloud providers' engine tests share (tests/gcp, tests/azure): a reconcile that
// adopts an instance made by hand for a request and ends an orphan, a preempted spot instance
// that is replaced, and the engine id a crashed CLI left in its state dir. Header-only; Catch2
// assertions inside.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "runtime/engine.hpp"
#include "runtime/reconcile.hpp"
#include "tests/crash_cli.hpp" // read_text, read_engine_id

namespace styx::test {

/// Starts an engine from `cfg` (no reconcile on start) and reconciles: one record vanished,
/// two instances identified, the one with cloud id `by_hand` adopted for `request`, one orphan
/// ended; then everything left runs.
inline void check_reconcile_adopts(engine_config cfg, const std::string& by_hand,
                                   const std::string& request) {
  cfg.reconcile_on_start = false;
  auto eng = engine::start(cfg);
  auto report = eng->reconcile();
  INFO(report.to_json());
  CHECK(report.vanished == 1);
  CHECK(report.identified == 2);
  CHECK(report.terminated_orphans == 1);
  CHECK(report.terminated_surplus == 0);
  bool adopted = false;
  for (auto& r : eng->list())
    if (r.cloud_id == by_hand) {
      adopted = is_live(r.state);
      CHECK(r.request.to_string() == request);
    }
  CHECK(adopted);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::running, seconds(30)));
}

/// The stats of an engine's one provider.
inline provider_stats only_stats(engine& eng) {
  auto all = eng.stats();
  REQUIRE(all.size() == 1);
  return all.front();
}

/// Waits up to 15 s until `victim` is terminated as preempted and `running` instances run.
inline bool wait_replaced(engine& eng, const instance_id& victim, int running) {
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int now = 0;
    bool preempted = false;
    for (auto& r : eng.list()) {
      now += r.state == instance_state::running ? 1 : 0;
      preempted = preempted
                  || (r.id == victim && r.state == instance_state::terminated
                      && r.reason == state_reason::preempted);
    }
    if (preempted && now == running)
      return true;
  }
  return false;
}

/// Three spot instances on `cloud` of an engine from `cfg`; `preempt` takes the first one back
/// on the cloud's side; then it is reported preempted (found at the next sweep of the watched
/// instances) and replaced, and the three left are terminated.
inline void check_spot_replaced(const engine_config& cfg, const std::string& cloud,
                                const std::function<void(const instance_record&)>& preempt) {
  auto eng = engine::start(cfg);
  auto req = provision_request::make("spot", resources{}).provider(cloud).count(3).spot(true);
  auto done = eng->submit(req).wait_for(seconds(60));
  REQUIRE(done);
  REQUIRE(done->ok);
  auto first = eng->list();
  REQUIRE(first.size() == 3);
  CHECK(first[0].market == market_kind::spot);
  preempt(first[0]);
  CHECK(wait_replaced(*eng, first[0].id, 3));
  CHECK(eng->list().size() == 4);
  CHECK(eng->terminate(selector::everything()) == 3);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}

} // namespace styx::test
