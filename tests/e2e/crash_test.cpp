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

using namespace styx;

namespace {

/// Runs styx with `args` in `dir`; returns its pid (stdout/stderr to /dev/null).
pid_t spawn_styx(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{STYX_BINARY, "--state-dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::cout.flush(); // the child's freopen would flush a copy of what is buffered
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("STYX_SIM_PROFILE", "fast", 1);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int run_styx(const std::string& dir, std::vector<std::string> args) {
  return wait_exit(spawn_styx(dir, std::move(args)));
}

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

/// Checks the invariants; returns the live instances per request.
std::map<request_id, int> check_invariants(const std::string& dir) {
  auto cloud = cloud_view(dir);
  auto db = store::open(dir + "/styx.db");
  auto records = db->instances();
  auto requests = db->requests();

  std::map<std::string, instance_record> by_cloud_id;
  for (auto& r : records)
    if (!r.cloud_id.empty())
      by_cloud_id[r.cloud_id] = r;
  std::set<std::string> live_ids;
  std::map<request_id, int> live_per_request;
  for (auto& ci : cloud) {
    if (is_final(ci.state))
      continue;
    live_ids.insert(ci.cloud_id);
    ++live_per_request[ci.owner_request()];
    auto i = by_cloud_id.find(ci.cloud_id);
    INFO("live cloud instance " << ci.cloud_id);
    REQUIRE(i != by_cloud_id.end());
    CHECK(is_live(i->second.state));
  }
  for (auto& r : records) {
    if (!is_live(r.state))
      continue;
    INFO("store record of a live instance " << r.cloud_id << " " << to_string(r.state));
    CHECK(live_ids.count(r.cloud_id) == 1);
  }
  std::map<request_id, int> counts;
  for (auto& r : requests)
    counts[r.id] = r.count;
  for (auto& [rid, n] : live_per_request) {
    INFO("request " << rid.to_string());
    REQUIRE(counts.count(rid) == 1);
    CHECK(n <= counts[rid]);
  }
  return live_per_request;
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
        if (r.state == "interrupted")
          interrupted.push_back(r);
    }
    for (auto& r : interrupted)
      REQUIRE(run_styx(dir, {"up", "--resume", r.id.to_string()}) == 0);
    auto live = check_invariants(dir);
    {
      auto db = store::open(dir + "/styx.db");
      for (auto& r : db->requests()) {
        // A round killed before its request was recorded adds nothing.
        if (r.name == "c" + std::to_string(round) && !counted) {
          expected += 1000;
          counted = true;
        }
        INFO("request " << r.id.to_string() << " " << r.state);
        CHECK((r.state == "done" || r.state == "resumed"));
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
