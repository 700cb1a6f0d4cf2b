// Crash safety against moto: the real CLI (`styx up --provider aws`, a child process) makes a
// 1000-instance fan-out on moto_server and is killed with SIGKILL at seeded random points; then
// `styx reconcile` and `styx up --resume` run, and EC2's own view (boto3 through
// tests/fixtures/crash_ec2_view.py: every live instance of the region, whatever its tags; not
// the engine's view) is checked against the store after every round:
//   - no live (pending/running) instance without a store record of it in a live state, and
//     none without its styx:instance tag;
//   - no store record of a live instance that EC2 does not hold live;
//   - no request with more live instances than its count;
//   - every request finished, or interrupted and then resumed.
// moto ignores ClientToken, and a kill between RunInstances and its per-instance CreateTags
// leaves instances with only the shared request tags: reconcile re-tags or ends them.
// Each round starts on an emptied moto, so the previous fleet vanishes behind the engine's
// back and reconcile must mark its records. The seed is printed; STYX_CRASH_SEED replays one
// run. The styx binary must be built.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "runtime/store.hpp"
#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/aws/moto_cloud_view.hpp"

using namespace styx;
using styx::test::run_styx;
using styx::test::spawn_styx;
using styx::test::wait_exit;
using namespace styx::test::moto_view;

namespace {

std::vector<std::string> up_args(int count, const std::string& name) {
  return {"up", "--provider", "aws", "--region", region, "--count", std::to_string(count),
          "--name", name};
}

} // namespace

TEST_CASE("crash moto: kill -9 during styx up --provider aws, then reconcile and resume, "
          "keeps EC2 and the store in step") {
  REQUIRE(std::filesystem::exists(STYX_BINARY)); // build the styx target first
  uint64_t seed = 20261129;
  if (auto* env = std::getenv("STYX_CRASH_SEED"); env != nullptr && *env != '\0')
    seed = std::strtoull(env, nullptr, 10);
  std::cout << "crash moto test seed " << seed << " (STYX_CRASH_SEED replays it)\n";
  std::mt19937_64 rng{seed};
  idle_moto moto;
  test::use_aws_env(moto.endpoint());
  auto dir = temp_dir("styx-crash-moto");

  constexpr int rounds = 3;
  // A 1000-instance up takes about 3 s on an empty moto (crash_moto_server.py, with moto's tag
  // lookup made direct): RunInstances, polling. Round k kills in the k-th third of it, at a
  // seeded random point; round 0's (at most 1.2 s) lands before any up could have finished.
  const int strata[rounds + 1] = {300, 1200, 2100, 3000};
  int killed_mid_run = 0;
  auto t0 = std::chrono::steady_clock::now();
  auto step = [&](const std::string& what) {
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "  [" << s << " s] " << what << std::endl;
  };
  std::map<std::string, int64_t> totals; // reconcile's counts over every round
  int expected = 0;
  for (int round = 0; round < rounds; ++round) {
    auto delay = std::uniform_int_distribution<int>{strata[round], strata[round + 1]}(rng);
    auto name = "m" + std::to_string(round);
    INFO("round " << round << ", kill after " << delay << " ms, seed " << seed);
    auto pid = spawn_styx(dir, up_args(1000, name));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    if (wait_exit(pid) == 128 + SIGKILL)
      ++killed_mid_run;
    moto.wait_idle(); // what the killed process had sent is on the cloud now
    step("round " + std::to_string(round) + ": killed after " + std::to_string(delay) + " ms");

    int rc = 0;
    auto counts = test::reconcile_counts(dir, rc);
    REQUIRE(rc == 0);
    for (auto& [k, n] : counts)
      totals[k] += n;
    step("reconciled: " + test::read_text(dir + ".reconcile.json"));
    check_invariants(dir, moto.endpoint());
    step("checked");

    std::vector<stored_request> interrupted;
    {
      auto db = store::open(dir + "/styx.db");
      for (auto& r : db->requests())
        if (r.state == request_state::interrupted)
          interrupted.push_back(r);
      // Every intent is closed: answered, or resolved by the reconcile.
      for (auto& i : db->intents())
        CHECK(!i.outcome.empty());
    }
    for (auto& r : interrupted)
      REQUIRE(run_styx(dir, {"up", "--resume", r.id.to_string()}) == 0);
    step("resumed " + std::to_string(interrupted.size()));
    auto live = check_invariants(dir, moto.endpoint());
    test::check_nothing_requested(dir + "/styx.db");
    {
      auto db = store::open(dir + "/styx.db");
      bool counted = false; // the resumed request and its remainder share the name
      for (auto& r : db->requests()) {
        if (r.name == name && !counted) {
          expected += 1000; // a round killed before its request was recorded adds nothing
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
    // moto's calls slow down with every instance it holds, so each round starts on an empty
    // moto. The fleet vanishes behind the engine's back: the next round's reconcile must mark
    // its records (checked then). The last round ends its fleet through the engine.
    if (round == rounds - 1) {
      REQUIRE(run_styx(dir, {"down", "--all"}) == 0);
      step("down");
      CHECK(check_invariants(dir, moto.endpoint()).empty());
    }
    expected = 0;
    moto.reset();
  }
  std::cout << "crash moto test: " << killed_mid_run << " of " << rounds
            << " runs killed before they finished; reconcile identified " << totals["identified"]
            << ", ended " << totals["terminated_surplus"] << " surplus, resolved "
            << totals["intents_resolved"] << " intent(s)\n";
  CHECK(killed_mid_run >= 1);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".reconcile.json");
}

TEST_CASE("crash moto: reconcile ends a retried create's surplus, identifies what a crash left "
          "untracked, and down --request cancels for good") {
  REQUIRE(std::filesystem::exists(STYX_BINARY));
  idle_moto moto;
  test::use_aws_env(moto.endpoint());
  auto dir = temp_dir("styx-surplus-moto");
  REQUIRE(run_styx(dir, up_args(20, "s")) == 0);
  std::string rid, engine_id = test::read_text(dir + "/engine-id");
  while (!engine_id.empty() && std::isspace(static_cast<unsigned char>(engine_id.back())))
    engine_id.pop_back();
  {
    auto db = store::open(dir + "/styx.db");
    auto reqs = db->requests();
    REQUIRE(reqs.size() == 1);
    rid = reqs.front().id.to_string();
  }
  auto shared_tags = std::vector<std::string>{std::string(ownership_tag::engine) + "=" + engine_id,
                                              std::string(ownership_tag::request) + "=" + rid};
  REQUIRE(check_invariants(dir, moto.endpoint())[rid] == 20);

  // A create retried after a lost answer: moto launches again, with the request's tags only.
  auto extra = ec2_run(moto.endpoint(), 5, shared_tags);
  REQUIRE(extra.size() == 5);
  int rc = 0;
  auto counts = test::reconcile_counts(dir, rc);
  REQUIRE(rc == 0);
  CHECK(counts["terminated_surplus"] == 5);
  CHECK(counts["identified"] == 25); // 20 by their create call (no per-instance tag), 5 extra
  CHECK(check_invariants(dir, moto.endpoint())[rid] == 20);
  for (auto& ci : ec2_all(moto.endpoint())) // live ones only
    CHECK(std::find(extra.begin(), extra.end(), ci.id) == extra.end());

  // Three instances end behind the engine's back; three launched by a create the engine never
  // saw answered (no styx:instance tag) take their places: adopted, not ended.
  std::vector<std::string> gone;
  for (auto& ci : ec2_all(moto.endpoint()))
    if (gone.size() < 3)
      gone.push_back(ci.id);
  auto cmd = "python3 " + test::fixture_path("crash_ec2_view.py") + " " + moto.endpoint() + " "
             + region + " terminate";
  for (auto& id : gone)
    cmd += " " + id;
  test::run_command(cmd);
  auto untagged = ec2_run(moto.endpoint(), 3, shared_tags);
  counts = test::reconcile_counts(dir, rc);
  REQUIRE(rc == 0);
  CHECK(counts["vanished"] == 3);
  CHECK(counts["identified"] == 20); // 17 by their records, 3 new
  CHECK(counts["terminated_surplus"] == 0);
  CHECK(counts["adopted"] == 20);
  CHECK(check_invariants(dir, moto.endpoint())[rid] == 20);
  {
    // Adopted by the store under their cloud ids; nothing was written to the cloud for them.
    auto db = store::open(dir + "/styx.db");
    int found = 0;
    for (auto& r : db->instances())
      if (std::find(untagged.begin(), untagged.end(), r.cloud_id) != untagged.end()
          && is_live(r.state))
        ++found;
    CHECK(found == 3);
  }

  // down --request cancels: resume refuses, and what still turns up is an orphan.
  REQUIRE(run_styx(dir, {"down", "--request", rid}) == 0);
  CHECK(check_invariants(dir, moto.endpoint()).empty());
  {
    auto db = store::open(dir + "/styx.db");
    request_id id;
    static_cast<uuid&>(id) = *uuid::parse(rid);
    auto stored = db->find_request(id);
    REQUIRE(stored);
    CHECK(stored->state == request_state::cancelled);
  }
  CHECK(run_styx(dir, {"up", "--resume", rid}) == 2);
  ec2_run(moto.endpoint(), 2, shared_tags);
  counts = test::reconcile_counts(dir, rc);
  REQUIRE(rc == 0);
  CHECK(counts["terminated_orphans"] == 2);
  CHECK(check_invariants(dir, moto.endpoint()).empty());
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".reconcile.json");
}
