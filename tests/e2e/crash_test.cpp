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
#include <sstream>
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

namespace {

/// The totals of the "<provider>: N API calls, T throttled, R retries, B refused by the retry
/// budget, F failed" lines a `styx -v up` logs when its request is done.
struct provider_work {
  int64_t calls = 0, throttled = 0, retries = 0, refused = 0, failed = 0, runs = 0;
};

void add_work(provider_work& w, const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto at = line.find(" API calls, ");
    if (at == std::string::npos)
      continue;
    auto from = line.rfind(": ", at);
    long long calls = 0, throttled = 0, retries = 0, refused = 0, failed = 0;
    if (from == std::string::npos
        || std::sscanf(line.c_str() + from + 2,
                       "%lld API calls, %lld throttled, %lld retries, %lld refused by the retry "
                       "budget, %lld failed",
                       &calls, &throttled, &retries, &refused, &failed) != 5)
      continue;
    w.calls += calls;
    w.throttled += throttled;
    w.retries += retries;
    w.refused += refused;
    w.failed += failed;
    ++w.runs;
  }
}

} // namespace

TEST_CASE("chaos sim: faults, lost answers and a kill -9 lose and duplicate nothing, and "
          "retries stay within the budget") {
  uint64_t seed = 20261202;
  if (auto* env = std::getenv("STYX_CHAOS_SEED"); env != nullptr && *env != '\0')
    seed = std::strtoull(env, nullptr, 10);
  auto env_int = [](const char* name, int fallback) {
    auto* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
  };
  const int requests = env_int("STYX_CHAOS_REQUESTS", 4);
  const int count = env_int("STYX_CHAOS_COUNT", 500);
  std::cout << "chaos sim test seed " << seed << " (STYX_CHAOS_SEED replays it): " << requests
            << " request(s) of " << count << std::endl;
  std::mt19937_64 rng{seed};
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-chaos-sim-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  // 5 % transient errors, 2 % of mutations done with their answer lost, latency spikes and
  // a cloud that throttles below the engine's buckets (cli/config.cpp, STYX_SIM_PROFILE).
  ::setenv("STYX_SIM_PROFILE", "chaos", 1);
  auto victim = static_cast<int>(rng() % static_cast<uint64_t>(requests));
  auto delay = std::uniform_int_distribution<int>{100, 1500}(rng);
  provider_work work;
  for (int i = 0; i < requests; ++i) {
    auto log = dir + ".up" + std::to_string(i);
    auto pid = spawn_styx(dir, {"-v", "up", "--count", std::to_string(count), "--name",
                                "c" + std::to_string(i)},
                          log + ".out", log + ".err");
    if (i == victim) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      ::kill(pid, SIGKILL);
    }
    int rc = test::wait_exit_for(pid, std::chrono::seconds(600));
    INFO("request " << i << " exit " << rc << ", seed " << seed);
    CHECK((i == victim ? (rc == 0 || rc == 128 + SIGKILL) : rc == 0));
    add_work(work, test::read_text(log + ".err"));
    std::filesystem::remove(log + ".out");
    std::filesystem::remove(log + ".err");
  }
  REQUIRE(run_styx(dir, {"reconcile", "--json"}) == 0);
  check_invariants(dir);
  auto interrupted = test::interrupted_requests(dir + "/styx.db");
  for (auto& id : interrupted)
    CHECK(run_styx(dir, {"up", "--resume", id}) == 0);

  // From the cloud's side: every recorded request has its count live, once each.
  auto live = check_invariants(dir);
  test::check_nothing_requested(dir + "/styx.db");
  int expected = test::check_chaos_records(dir + "/styx.db", count);
  int total = 0;
  for (auto& [rid, n] : live)
    total += n;
  CHECK(total == expected); // none lost
  std::set<std::pair<std::string, int>> slots; // none created twice and kept
  for (auto& ci : cloud_view(dir))
    if (!is_final(ci.state) && !ci.client_token.empty())
      CHECK(slots.insert({ci.client_token, ci.launch_index}).second);

  // Retries within the budget: the faults were met and retried, the budget never ran dry,
  // and retrying failed calls (throttles are paced by the buckets instead) did not multiply
  // the calls.
  std::cout << "chaos sim test: " << total << " instances live once each; " << work.runs
            << " provider reports: " << work.calls << " API calls, " << work.throttled
            << " throttled, " << work.retries << " retries, " << work.refused
            << " refused by the retry budget" << std::endl;
  CHECK(work.runs >= requests - 1);
  CHECK(work.retries > 0);
  CHECK(work.throttled > 0);
  CHECK(work.refused == 0);
  CHECK((work.retries - work.throttled) * 2 <= work.calls);

  REQUIRE(run_styx(dir, {"down", "--all"}) == 0);
  CHECK(check_invariants(dir).empty());
  ::unsetenv("STYX_SIM_PROFILE");
  std::filesystem::remove_all(dir);
}
