// Reconcile on start for the embedding API: an engine with a state dir reconciles inside
// engine::start() (engine_config::reconcile_on_start, default on), so what an earlier process
// left behind is settled before new work is accepted; with the flag off nothing happens until
// reconcile() is called.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "providers/sim/sim_state_file.hpp"
#include "runtime/engine.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/store.hpp"
#include "tests/runtime/fast_engine.hpp"

using namespace styx;

namespace {

using test::fast_config;

int count_in(const std::vector<instance_record>& xs, instance_state st) {
  int n = 0;
  for (auto& x : xs)
    n += x.state == st ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("reconcile on start: the orphans of a cancelled request end before start returns, "
          "and only with the flag on") {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-reconcile-start-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  auto cfg = fast_config(dir);
  request_id rid;
  {
    auto eng = engine::start(cfg);
    auto h = eng->submit(provision_request::make("job", resources{}).count(5));
    auto done = h.wait_for(seconds(60));
    REQUIRE(done);
    REQUIRE(done->ok);
    rid = h.id();
    // As `styx down --request` would, had it been killed before terminating anything.
    eng->durable_store()->set_request_state(rid, request_state::cancelled);
  } // the instances stay on the (persisted) simulated cloud

  {
    auto off = cfg;
    off.reconcile_on_start = false;
    auto eng = engine::start(off);
    CHECK(eng->list().empty()); // nothing adopted, nothing ended
    CHECK(count_in(eng->records_from_store(), instance_state::running) == 5);
  }

  auto eng = engine::start(cfg); // reconciles first
  auto records = eng->records_from_store();
  CHECK(count_in(records, instance_state::terminated) == 5);
  CHECK(count_in(records, instance_state::running) == 0);
  for (auto& r : records) { // ended by reconcile, and the record says why
    INFO(r.id.to_string() << " " << to_string(r.state) << " (" << to_string(r.reason) << ")");
    CHECK(r.reason == state_reason::orphan);
    CHECK(r.last_error.find("reconcile") != std::string::npos);
  }
  // The cloud's own state, as the simulated cloud saved it: the five were ended there too
  // (terminated, or terminating: the sim finishes that on its own clock).
  std::string text, error;
  bool missing = false;
  REQUIRE(read_whole_file(dir + "/sim-cloud.json", &text, &missing, &error));
  sim_snapshot snap;
  REQUIRE(decode_sim_snapshot(text, &snap, &error));
  CHECK(snap.instances.size() == 5);
  for (auto& x : snap.instances) {
    INFO(x.info.cloud_id << " " << to_string(x.info.state));
    CHECK((x.info.state == instance_state::terminated
           || x.info.state == instance_state::terminating));
  }
  selector sel;
  sel.requests.push_back(rid);
  for (auto& r : eng->list(sel))
    CHECK(r.state == instance_state::terminated);
  auto again = eng->reconcile(); // nothing left to do
  CHECK(again.terminated_orphans == 0);
  CHECK(again.adopted == 0);
  eng.reset();
  std::filesystem::remove_all(dir);
}
