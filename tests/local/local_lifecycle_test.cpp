// 200 real processes through the whole lifecycle on the local cloud, checked in /proc: up
// (each a group leader of its own session, carrying its instance's id), stopped (state T),
// started again (not T), terminated (none left, their groups neither).

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include "runtime/engine.hpp"
#include "tests/local/local_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The leader of each live instance's process, by cloud id, from /proc (its environment).
std::map<std::string, int> leaders(const local_dir_guard& dir) {
  std::map<std::string, int> out;
  for (int pid : dir.leaders())
    out[env_of(pid, "STYX_LOCAL_KEY")] = pid;
  return out;
}

/// Seconds since `t0`, and resets it (printed, never asserted).
double lap(std::chrono::steady_clock::time_point& t0) {
  auto now = std::chrono::steady_clock::now();
  auto s = std::chrono::duration<double>(now - t0).count();
  t0 = now;
  return s;
}

size_t count_in_state(const std::map<std::string, int>& procs, bool stopped) {
  size_t n = 0;
  for (auto& [key, pid] : procs)
    if (auto st = read_proc_stat(pid); st && (st->state == 'T') == stopped)
      ++n;
  return n;
}

} // namespace

TEST_CASE("local: 200 processes come up then stop as state T then start and terminate with "
          "none left") {
  local_dir_guard dir{"styx-local-life"};
  auto eng = engine::start(local_only_config(dir.state_dir()));
  auto t0 = std::chrono::steady_clock::now();
  auto h = eng->submit(provision_request::make("life", resources{}.cpus(1).memory_gib(1))
                         .count(200)
                         .tag("team", "ml"));
  auto done = h.wait();
  REQUIRE(done.ok);
  REQUIRE(done.running == 200);
  std::cout << "local lifecycle: 200 running in " << lap(t0) << " s";

  auto records = eng->list(selector::everything());
  REQUIRE(records.size() == 200);
  auto procs = leaders(dir);
  REQUIRE(procs.size() == 200);
  for (auto& r : records) {
    CHECK(r.provider.to_string() == "local/localhost");
    auto p = procs.find(r.cloud_id);
    REQUIRE(p != procs.end());
    auto st = read_proc_stat(p->second);
    REQUIRE(st);
    CHECK(st->pgid == p->second); // its own group and session
    CHECK(env_of(p->second, "STYX_INSTANCE_ID") == r.id.to_string());
    CHECK(env_of(p->second, "STYX_REQUEST_ID") == r.request.to_string());
    CHECK(env_of(p->second, "STYX_TAG_TEAM") == "ml");
  }

  CHECK(eng->stop(selector::everything()) == 200);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::stopped, seconds(60)));
  std::cout << ", stopped in " << lap(t0) << " s";
  CHECK(count_in_state(procs, true) == 200);

  CHECK(eng->start_instances(selector::everything()) == 200);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::running, seconds(60)));
  std::cout << ", started in " << lap(t0) << " s";
  CHECK(count_in_state(procs, false) == 200);

  CHECK(eng->terminate(selector::everything()) == 200);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  std::cout << ", terminated in " << lap(t0) << " s\n";
  CHECK(eventually([&] { return dir.live().empty(); }));
  for (auto& [key, pid] : procs)
    CHECK(group_members(pid).empty());
}

TEST_CASE("local: a command that exits at once ends its instance with its exit status") {
  local_dir_guard dir{"styx-local-exit"};
  auto eng = engine::start(local_only_config(dir.state_dir()));
  auto failing = eng->submit(provision_request::make("bad", resources{}).count(1).image("exit 3"))
                   .wait();
  CHECK_FALSE(failing.ok);
  REQUIRE(failing.failures.size() == 1);
  CHECK(failing.failures[0].reason.find("exit status 3") != std::string::npos);
  auto recs = eng->list(selector::everything());
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].state == instance_state::failed);
  CHECK(recs[0].last_error == "exit status 3");

  // One that runs for a while and then exits by itself: terminated, with its status.
  auto later = eng->submit(provision_request::make("brief", resources{}).count(1)
                             .image("sleep 1; exit 7"))
                 .wait();
  REQUIRE(later.ok);
  selector brief;
  brief.requests = {later.request};
  REQUIRE(eng->wait_for_state(brief, instance_state::terminated, seconds(30)));
  for (auto& r : eng->list(selector::everything()))
    if (r.request == later.request) {
      CHECK(r.reason == state_reason::cloud_ended);
      CHECK(r.last_error == "exit status 7");
    }
  CHECK(eventually([&] { return dir.live().empty(); }));
}
