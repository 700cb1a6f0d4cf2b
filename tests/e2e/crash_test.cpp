// Crash safety, end to end: `styx up --count 1000` on the simulated cloud is killed with
// SIGKILL at seeded random points, then `styx reconcile` and `styx up --resume` run, and the
// CLOUD's view (the sim's state file, loaded by a fresh sim_cloud here, not the engine's
// view) is checked against the store after every round:
//   - no live instance without a store record (same cloud id, a live state);
//   - no store record of a live instance without the live instance;
//   - no request with more live instances than its count;
//   - every request finished, or interrupted and then resumed.
// The seed is printed; STYX_CRASH_SEED replays one run.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/store.hpp"
#include "providers/sim/sim_cloud.hpp"
#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"

using namespace styx;
using styx::test::run_styx;
using styx::test::spawn_styx;
using styx::test::wait_exit;

namespace {

/// The cloud's side: every instance in the sim's state file.
std::vector<cloud_instance> cloud_view(const std::string& dir) {
  sim_config cfg;
  cfg.state_file = dir + "/sim-cloud.json";
  system_clock clk;
  sim_cloud cloud{cfg, clk};
  std::string err;
  REQUIRE(cloud.load(&err));
  return cloud.all();
}

/// Checks the invariants (tests/crash_invariants.hpp); returns the live instances per request.
std::map<std::string, int> check_invariants(const std::string& dir) {
  std::vector<test::cloud_live> live;
  for (auto& ci : cloud_view(dir))
    if (!is_final(ci.state))
      live.push_back({ci.cloud_id, ci.owner_request().to_string(),
                      ci.owner_instance().to_string(), ci.client_token, ci.launch_index});
  return test::check_store_against(dir + "/styx.db", live);
}

} // namespace

TEST_CASE("crash: kill -9 during styx up, then reconcile and resume, keeps cloud and store in step") {
  uint64_t seed = 20261129;
  if (auto* env = std::getenv("STYX_CRASH_SEED"); env != nullptr && *env != '\0')
    seed = std::strtoull(env, nullptr, 10);
  std::cout << "crash test seed " << seed << " (STYX_CRASH_SEED replays it)\n";
  std::mt19937_64 rng{seed};
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-crash-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);

  constexpr int rounds = 10;
  std::uniform_int_distribution<int> delay_ms{5, 600};
  int killed_mid_run = 0;
  int expected = 0; // live instances the rounds so far should have left
  for (int round = 0; round < rounds; ++round) {
    auto delay = delay_ms(rng);
    bool counted = false;
    INFO("round " << round << ", kill after " << delay << " ms, seed " << seed);
    auto pid = spawn_styx(dir, {"up", "--count", "1000", "--name", "c" + std::to_string(round)});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    if (wait_exit(pid) == 128 + SIGKILL)
      ++killed_mid_run;

    REQUIRE(run_styx(dir, {"reconcile", "--json"}) == 0);
    check_invariants(dir);

    // Every interrupted request is resumed to its count.
    std::vector<stored_request> interrupted;
    {
      auto db = store::open(dir + "/styx.db");
      for (auto& r : db->requests())
        if (r.state == request_state::interrupted)
          interrupted.push_back(r);
    }
    for (auto& r : interrupted)
      REQUIRE(run_styx(dir, {"up", "--resume", r.id.to_string()}) == 0);
    auto live = check_invariants(dir);
    test::check_nothing_requested(dir + "/styx.db");
    {
      auto db = store::open(dir + "/styx.db");
      for (auto& r : db->requests()) {
        // A round killed before its request was recorded adds nothing.
        if (r.name == "c" + std::to_string(round) && !counted) {
          expected += 1000;
          counted = true;
        }
        INFO("request " << r.id.to_string() << " " << to_string(r.state));
        CHECK((r.state == request_state::done || r.state == request_state::resumed));
      }
    }
    int total = 0;
    for (auto& [rid, n] : live)
      total += n;
    CHECK(total == expected); // every recorded round's 1000, none twice

    // Keep the fleet small for the next round: end everything, then check again.
    if (round % 3 == 2) {
      REQUIRE(run_styx(dir, {"down", "--all"}) == 0);
      check_invariants(dir);
      expected = 0;
    }
  }
  std::cout << "crash test: " << killed_mid_run << " of " << rounds
            << " runs killed before they finished\n";
  CHECK(killed_mid_run >= 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("crash: SIGTERM and SIGINT during styx up drain, persist and exit 143 / 130") {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-signal-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  // Wait until the request is in the store, so that the signal lands while it runs.
  auto wait_for_request = [&](const std::string& name) {
    for (int i = 0; i < 2000; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (!std::filesystem::exists(dir + "/styx.db"))
        continue;
      // The engine holds the state dir; read the database without its lock.
      try {
        auto db = store::open(dir + "/styx.db");
        for (auto& r : db->requests())
          if (r.name == name)
            return true;
      } catch (const store_error&) {
      }
    }
    return false;
  };
  for (auto [sig, code] : {std::pair<int, int>{SIGTERM, 143}, std::pair<int, int>{SIGINT, 130}}) {
    auto name = "sig" + std::to_string(sig);
    // A deadline far away and a count large enough that the run is still going.
    auto pid = spawn_styx(dir, {"up", "--count", "3000", "--name", name});
    REQUIRE(wait_for_request(name));
    ::kill(pid, sig);
    int rc = wait_exit(pid);
    INFO("signal " << sig);
    if (rc == 0)
      continue; // it finished first: nothing to check for this signal
    CHECK(rc == code);
    REQUIRE(run_styx(dir, {"reconcile"}) == 0);
    check_invariants(dir);
  }
  REQUIRE(run_styx(dir, {"down", "--all"}) == 0);
  check_invariants(dir);
  std::filesystem::remove_all(dir);
}
