// Crash safety on Azure: the real CLI (`styx up --provider azure`, a child process) makes a
// fan-out on the fake Resource Manager and is killed with SIGKILL in the middle of it (once its
// first PUTs are accepted, and once later, while the VMs boot); then `styx reconcile` runs, and
// the fake's own state as the Azure SDK lists it (not the engine's view) is checked against the
// store (tests/crash_invariants.hpp): every live VM is a store record's, by its name (its
// engine id), no request has more live VMs than its count. `styx down --all` then leaves
// nothing alive: nothing leaked, nothing doubled.

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "providers/azure/azure_names.hpp"
#include "tests/azure/azure_fake_fixture.hpp"
#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"
#include "tests/engine_checks.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The live VMs of `engine_id` as the Azure SDK lists them.
std::vector<cloud_live> sdk_live(const azure_fake& fake, const std::string& engine_id) {
  std::vector<cloud_live> out;
  std::set<std::string> names;
  for (auto& s : sdk_vms(fake, "styx:engine=" + engine_id)) {
    if (s.provisioning == "Failed" || s.provisioning == "Deleting")
      continue;
    INFO("the SDK lists " << s.name << " twice");
    CHECK(names.insert(s.name).second);
    cloud_live c;
    c.cloud_id = s.name;
    c.request = s.tags["styx:request"];
    c.instance = azure_instance_of(s.name).to_string();
    CHECK(s.tags["styx:instance"] == c.instance);
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace

TEST_CASE("azure crash: kill -9 in the middle of a fan-out then reconcile - nothing leaked and "
          "nothing doubled") {
  azure_fake fake;
  fake.use_env();
  for (int round = 0; round < 2; ++round) {
    INFO("round " << round);
    fake.reset();
    auto dir = (std::filesystem::temp_directory_path()
                / ("styx-azure-crash-" + std::to_string(::getpid()) + "-" + std::to_string(round)))
                 .string();
    std::filesystem::remove_all(dir);
    auto pid = spawn_styx(dir, {"up", "--provider", "azure", "--count", "300", "--name", "crash"});
    bool reached = false;
    for (int i = 0; i < 1000 && !reached; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      reached = round == 0 ? fake.stat("virtualMachines.createOrUpdate") >= 20
                           : fake.stat("created", "") >= 150;
    }
    CHECK(reached);
    ::kill(pid, SIGKILL);
    CHECK(wait_exit(pid) == 128 + SIGKILL);
    auto engine_id = read_engine_id(dir);
    REQUIRE_FALSE(engine_id.empty());

    int rc = -1;
    auto report = reconcile_counts(dir, rc);
    CHECK(rc == 0);
    CHECK(report["intents_resolved"] >= 1); // creates whose answers never came
    auto live = sdk_live(fake, engine_id);
    auto per_request = check_store_against(dir + "/styx.db", live);
    CHECK(live.size() <= 300);
    CHECK(fake.stat("created", "") == static_cast<int64_t>(live.size())); // each once
    for (auto& [rid, n] : per_request)
      CHECK(n <= 300);

    CHECK(run_styx(dir, {"down", "--all"}) == 0);
    CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
    CHECK(sdk_live(fake, engine_id).empty());
    std::filesystem::remove_all(dir);
    std::filesystem::remove(dir + ".reconcile.json");
  }
}
