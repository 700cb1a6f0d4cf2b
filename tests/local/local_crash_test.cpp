// The engine killed with -9 mid fan-out on the local cloud, then restarted: `styx reconcile`
// (and `styx up --resume` of what was interrupted) leaves no process unaccounted for. The
// machine's side is read from /proc (every live process started for the state dir, by the
// STYX_LOCAL_HOME, STYX_LOCAL_KEY, STYX_REQUEST_ID and STYX_INSTANCE_ID its environment
// carries), not from the engine, and checked against the store (tests/crash_invariants.hpp):
// each live process has a live record of it, each live record a live process, no request
// more than its count. The seed is printed; STYX_CRASH_SEED replays one run.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <random>

#include "runtime/store.hpp"
#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"
#include "tests/local/local_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The machine's view: one entry per live instance process (a session leader).
std::map<std::string, int> check_against_proc(const local_dir_guard& dir) {
  std::vector<cloud_live> live;
  for (int pid : dir.leaders())
    live.push_back({env_of(pid, "STYX_LOCAL_KEY"), env_of(pid, "STYX_REQUEST_ID"),
                    env_of(pid, "STYX_INSTANCE_ID"), {}, -1});
  return check_store_against(dir.state_dir() + "/styx.db", live);
}

} // namespace

TEST_CASE("local crash: kill -9 mid fan-out then reconcile and resume leave no process "
          "unaccounted for") {
  uint64_t seed = 20261202;
  if (auto* env = std::getenv("STYX_CRASH_SEED"); env != nullptr && *env != '\0')
    seed = std::strtoull(env, nullptr, 10);
  std::cout << "local crash test seed " << seed << " (STYX_CRASH_SEED replays it)\n";
  std::mt19937_64 rng{seed};
  local_dir_guard dir{"styx-local-crash"};
  constexpr int rounds = 6;
  constexpr int count = 30; // 0.125 vCPU each: room on a one-core machine for two rounds
  std::uniform_int_distribution<int> delay_ms{20, 400};
  int killed_mid_run = 0;
  int expected = 0;
  for (int round = 0; round < rounds; ++round) {
    auto delay = delay_ms(rng);
    auto name = "c" + std::to_string(round);
    INFO("round " << round << ", kill after " << delay << " ms, seed " << seed);
    auto pid = spawn_styx(dir.state_dir(), {"up", "--provider", "local", "--count",
                                            std::to_string(count), "--cpus", "0.125",
                                            "--memory", "0.125", "--name", name});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    if (wait_exit(pid) == 128 + SIGKILL)
      ++killed_mid_run;

    auto rec = run_styx_captured(dir.state_dir(), {"reconcile", "--json"},
                                 dir.state_dir());
    INFO("reconcile said: " << rec.err << rec.out.substr(0, 2000));
    REQUIRE(rec.rc == 0);
    check_against_proc(dir);
    std::vector<stored_request> interrupted;
    {
      auto db = store::open(dir.state_dir() + "/styx.db");
      for (auto& r : db->requests())
        if (r.state == request_state::interrupted)
          interrupted.push_back(r);
    }
    for (auto& r : interrupted)
      REQUIRE(run_styx(dir.state_dir(), {"up", "--resume", r.id.to_string()}) == 0);
    auto live = check_against_proc(dir);
    check_nothing_requested(dir.state_dir() + "/styx.db");
    {
      auto db = store::open(dir.state_dir() + "/styx.db");
      bool recorded = false; // a round killed before its request was recorded adds nothing
      for (auto& r : db->requests()) {
        recorded = recorded || r.name == name;
        INFO("request " << r.id.to_string() << " " << to_string(r.state));
        CHECK((r.state == request_state::done || r.state == request_state::resumed));
      }
      expected += recorded ? count : 0;
    }
    int total = 0;
    for (auto& [rid, n] : live)
      total += n;
    CHECK(total == expected); // every recorded round's count, none twice

    if (round % 2 == 1) {
      auto down = run_styx_captured(dir.state_dir(), {"down", "--all"}, dir.state_dir());
      INFO("styx down --all said: " << down.out << down.err);
      REQUIRE(down.rc == 0);
      CHECK(eventually([&] { return dir.live().empty(); }));
      check_against_proc(dir);
      expected = 0;
    }
  }
  std::cout << "local crash test: " << killed_mid_run << " of " << rounds
            << " runs killed before they finished\n";
  CHECK(killed_mid_run >= 1);
}
