// Crash safety on GCP: the real CLI (`styx up --provider gcp`, a child process) makes a fan-out
// on the fake Compute API and is killed with SIGKILL in the middle of it (once its bulkInsert is
// accepted, and once later, while the instances boot); then `styx reconcile` runs, and the
// fake's own state as gcloud lists it (not the engine's view) is checked against the store
// (tests/crash_invariants.hpp): every live instance is a store record's, by its name (its
// engine id), no request has more live instances than its count, nothing is left requested
// once resumed. `styx down --all` then leaves nothing alive: nothing leaked, nothing doubled.

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <simdjson.h>

#include "providers/gcp/gcp_names.hpp"
#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"
#include "tests/engine_checks.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The live instances of `engine_id` as gcloud lists them.
std::vector<cloud_live> gcloud_live(const std::string& engine_id) {
  std::vector<cloud_live> out;
  std::set<std::string> names;
  for (auto& s : gcloud_instances("labels.styx-engine=" + engine_id)) {
    if (s.status != "PROVISIONING" && s.status != "STAGING" && s.status != "RUNNING")
      continue;
    INFO("gcloud lists " << s.name << " twice");
    CHECK(names.insert(s.name).second);
    cloud_live c;
    c.cloud_id = gcp_cloud_id(s.zone, s.name);
    c.request = s.labels["styx-request"];
    c.instance = gcp_instance_of(s.name).to_string();
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace

TEST_CASE("gcp crash: kill -9 in the middle of a fan-out then reconcile - nothing leaked and "
          "nothing doubled") {
  gcp_fake fake;
  fake.use_env();
  // Round 0 dies once the bulkInsert was accepted (its Operation still running), round 1 while
  // the instances boot.
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    fake.reset();
    auto dir = (std::filesystem::temp_directory_path()
                / ("styx-gcp-crash-" + std::to_string(::getpid()) + "-" + std::to_string(round)))
                 .string();
    std::filesystem::remove_all(dir);
    auto pid = spawn_styx(dir, {"up", "--provider", "gcp", "--count", "300", "--name", "crash"});
    bool reached = false;
    for (int i = 0; i < 400 && !reached; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      reached = round == 0 ? fake.stat("instances.bulkInsert") >= 1
                           : fake.stat("instances.list") >= 1;
    }
    CHECK(reached);
    ::kill(pid, SIGKILL);
    CHECK(wait_exit(pid) == 128 + SIGKILL);
    auto engine_id = read_engine_id(dir);
    REQUIRE_FALSE(engine_id.empty());

    int rc = -1;
    auto report = reconcile_counts(dir, rc);
    CHECK(rc == 0);
    if (round == 0) // the create's answer never came: its intent was open
      CHECK(report["intents_resolved"] >= 1);
    auto live = gcloud_live(engine_id);
    auto per_request = check_store_against(dir + "/styx.db", live);
    CHECK(live.size() <= 300);
    CHECK(fake.stat("instances_created") == static_cast<int64_t>(live.size())); // each once
    for (auto& [rid, n] : per_request)
      CHECK(n <= 300);

    CHECK(run_styx(dir, {"down", "--all"}) == 0);
    CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
    CHECK(gcloud_live(engine_id).empty());
    std::filesystem::remove_all(dir);
    std::filesystem::remove(dir + ".reconcile.json");
  }
}
