#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "actors/poller.hpp"

using namespace styx;

namespace {

using int_poller = poller<int>; // owners are plain numbers here

poll_policy policy() {
  return poll_policy{milliseconds(250), seconds(2), seconds(30)};
}

cloud_instance inst(const std::string& id, instance_state state) {
  cloud_instance result;
  result.cloud_id = id;
  result.state = state;
  return result;
}

/// A poller watched from t0, with first_poll 250 ms, interval 2 s and sweeps every 30 s.
struct poller_fixture {
  manual_clock clk;
  time_point t0 = clk.now();
  int_poller p{policy(), t0};
};

std::set<std::string> ids_of(const int_poller::round& r) {
  std::set<std::string> result;
  for (auto& call : r.describe)
    result.insert(call.begin(), call.end());
  return result;
}

} // namespace

TEST_CASE_METHOD(poller_fixture, "poller: a final state is not watched and sets no timer") {
  CHECK_FALSE(p.watch("i-1", 1, instance_state::terminated, clk.now()));
  CHECK(p.watched() == 0u);
  CHECK(p.moving() == 0u);
}

TEST_CASE_METHOD(poller_fixture, "poller: a moving instance is polled soon and then less often") {
  // first_poll, doubling per poll up to the interval
  auto timer = p.watch("i-1", 1, instance_state::pending, clk.now());
  REQUIRE(timer);
  CHECK(*timer == milliseconds(250));
  CHECK(p.moving() == 1u);
  std::vector<duration> expected{milliseconds(500), seconds(1), seconds(2), seconds(2)};
  for (auto next : expected) {
    clk.advance(*timer);
    auto r = p.on_timer(clk.now(), 100);
    CHECK(r.polled);
    REQUIRE(r.describe.size() == 1u);
    CHECK(r.describe[0] == std::vector<std::string>{"i-1"});
    REQUIRE(r.timer);
    CHECK(*r.timer == next);
    timer = r.timer;
    // Still pending: nothing for the owner.
    CHECK(p.on_described(clk.now(), {"i-1"}, {inst("i-1", instance_state::pending)}).empty());
  }
}

TEST_CASE_METHOD(poller_fixture, "poller: settled instances are polled at the interval") {
  auto timer = p.watch("i-1", 1, instance_state::running, clk.now());
  REQUIRE(timer);
  CHECK(*timer == seconds(2));
  CHECK(p.moving() == 0u);
  clk.advance(seconds(2));
  auto r = p.on_timer(clk.now(), 100);
  CHECK(r.polled);
  CHECK(r.describe.empty()); // nothing moving, no sweep yet
  REQUIRE(r.timer);
  CHECK(*r.timer == seconds(2));
}

TEST_CASE_METHOD(poller_fixture, "poller: a timer overtaken by an earlier one does nothing") {
  REQUIRE(*p.watch("i-1", 1, instance_state::running, t0) == seconds(2));
  // The first instance to move wants a poll sooner than the pending timer: its own timer.
  auto sooner = p.watch("i-2", 2, instance_state::pending, t0 + milliseconds(100));
  REQUIRE(sooner);
  CHECK(*sooner == milliseconds(250));
  // A timer that fires before the poll is due is stale.
  auto stale = p.on_timer(t0 + milliseconds(200), 100);
  CHECK_FALSE(stale.polled);
  CHECK(stale.describe.empty());
  CHECK_FALSE(stale.timer);
  auto r = p.on_timer(t0 + milliseconds(350), 100);
  CHECK(r.polled);
  CHECK(ids_of(r) == std::set<std::string>{"i-2"}); // only the moving one between sweeps
  // A later wish does not move the pending timer.
  CHECK_FALSE(p.watch("i-3", 3, instance_state::pending, t0 + milliseconds(360)));
}

TEST_CASE_METHOD(poller_fixture, "poller: while a poll is unanswered the next timer only re-arms") {
  p.watch("i-1", 1, instance_state::pending, t0);
  auto first = p.on_timer(t0 + milliseconds(250), 100);
  REQUIRE(first.polled);
  REQUIRE(first.timer);
  CHECK(*first.timer == milliseconds(500));
  auto waiting = p.on_timer(t0 + milliseconds(750), 100);
  CHECK_FALSE(waiting.polled);
  CHECK(waiting.describe.empty());
  REQUIRE(waiting.timer);
  CHECK(*waiting.timer == milliseconds(500)); // not doubled: no poll went out
  p.on_describe_failed();
  auto again = p.on_timer(t0 + milliseconds(1250), 100);
  CHECK(again.polled);
  CHECK(ids_of(again) == std::set<std::string>{"i-1"});
  CHECK(*again.timer == seconds(1));
}

TEST_CASE_METHOD(poller_fixture, "poller: a sweep describes every watched instance in calls") {
  // of at most max_per_call ids
  p.watch("i-1", 1, instance_state::running, t0);
  p.watch("i-2", 2, instance_state::stopped, t0);
  p.watch("i-3", 3, instance_state::pending, t0);
  auto r = p.on_timer(t0 + milliseconds(250), 2);
  CHECK(ids_of(r) == std::set<std::string>{"i-3"});
  p.on_described(t0 + milliseconds(250), {"i-3"}, {inst("i-3", instance_state::pending)});
  auto sweep = p.on_timer(t0 + seconds(30), 2);
  CHECK(sweep.polled);
  REQUIRE(sweep.describe.size() == 2u);
  CHECK(sweep.describe[0].size() == 2u);
  CHECK(sweep.describe[1].size() == 1u);
  CHECK(ids_of(sweep) == std::set<std::string>{"i-1", "i-2", "i-3"});
  // The next sweep is a sweep interval later; until then only the moving one is asked about.
  p.on_described(t0 + seconds(30), {"i-1", "i-2"},
                 {inst("i-1", instance_state::running), inst("i-2", instance_state::stopped)});
  p.on_described(t0 + seconds(30), {"i-3"}, {inst("i-3", instance_state::pending)});
  auto between = p.on_timer(t0 + seconds(40), 0); // 0 counts as 1
  CHECK(between.describe == std::vector<std::vector<std::string>>{{"i-3"}});
}

TEST_CASE_METHOD(poller_fixture, "poller: news goes to the owner and settled ones stop moving") {
  p.watch("i-1", 7, instance_state::pending, t0);
  p.watch("i-2", 8, instance_state::pending, t0);
  p.on_timer(t0 + milliseconds(250), 100);
  auto updates =
    p.on_described(t0 + milliseconds(250), {"i-1", "i-2"},
                   {inst("i-2", instance_state::running), inst("i-1", instance_state::pending),
                    inst("i-9", instance_state::running)}); // i-9 is nobody's
  REQUIRE(updates.size() == 1u);
  CHECK(updates[0].owner == 8);
  CHECK(updates[0].instance.cloud_id == "i-2");
  CHECK(updates[0].instance.state == instance_state::running);
  CHECK(p.moving() == 1u);
  CHECK(p.watched() == 2u);
  // The same state again is no news.
  CHECK(p.on_described(t0 + seconds(1), {"i-2"}, {inst("i-2", instance_state::running)}).empty());
}

TEST_CASE_METHOD(poller_fixture, "poller: an instance asked for but not answered has vanished") {
  p.watch("i-1", 5, instance_state::running, t0);
  p.watch("i-2", 6, instance_state::running, t0);
  p.watch("i-3", 7, instance_state::pending, t0);
  auto updates =
    p.on_described(t0 + seconds(1), {"i-1", "i-2", "i-3"}, {inst("i-3", instance_state::running),
                                                            inst("i-2", instance_state::running)});
  REQUIRE(updates.size() == 2u);
  CHECK(updates[0].owner == 7); // the answered ones first
  CHECK(updates[1].owner == 5);
  CHECK(updates[1].instance.cloud_id == "i-1");
  CHECK(updates[1].instance.state == instance_state::terminated);
  CHECK(updates[1].instance.reason == state_reason::vanished);
  CHECK(p.watched() == 2u); // terminated is final: no longer watched
  CHECK(p.on_described(t0 + seconds(2), {"i-1"}, {}).empty());
}

TEST_CASE_METHOD(poller_fixture, "poller: a describe sent before the state was learned is stale") {
  p.watch("i-1", 1, instance_state::running, t0);
  auto sent = t0 + milliseconds(100);
  // The answer to a terminate arrives after that describe went out.
  p.watch("i-1", 1, instance_state::terminating, t0 + milliseconds(300));
  CHECK(p.on_described(sent, {"i-1"}, {inst("i-1", instance_state::running)}).empty());
  CHECK(p.on_described(sent, {"i-1"}, {}).empty()); // not vanished either
  CHECK(p.moving() == 1u);
  // A describe sent at or after the answer counts.
  auto updates = p.on_described(t0 + milliseconds(300), {"i-1"},
                                {inst("i-1", instance_state::terminated)});
  REQUIRE(updates.size() == 1u);
  CHECK(updates[0].instance.state == instance_state::terminated);
  CHECK(p.watched() == 0u);
  CHECK(p.moving() == 0u);
}

TEST_CASE_METHOD(poller_fixture, "poller: once nothing is watched a timer sets no further timer") {
  p.watch("i-1", 1, instance_state::pending, t0);
  p.watch("i-1", 1, instance_state::terminated, t0 + milliseconds(10));
  CHECK(p.watched() == 0u);
  auto r = p.on_timer(t0 + milliseconds(250), 100);
  CHECK(r.polled);
  CHECK(r.describe.empty());
  CHECK_FALSE(r.timer);
}

TEST_CASE_METHOD(poller_fixture, "poller: the next round waits for every call of the last one") {
  p.watch("i-1", 1, instance_state::pending, t0);
  p.watch("i-2", 2, instance_state::pending, t0);
  p.watch("i-3", 3, instance_state::pending, t0);
  auto first = p.on_timer(t0 + milliseconds(250), 2);
  REQUIRE(first.polled);
  REQUIRE(first.describe.size() == 2u);
  // One call answered, the other still on the wire: the timer only re-arms.
  p.on_described(t0 + milliseconds(250), first.describe[0], {});
  auto waiting = p.on_timer(t0 + milliseconds(750), 2);
  CHECK_FALSE(waiting.polled);
  CHECK(waiting.describe.empty());
  // A describe outside the rounds (one that reads a state reason) ends no call of the round.
  p.on_described(t0 + milliseconds(800), {"i-9"}, {}, nullptr, false);
  p.on_describe_failed(false);
  CHECK_FALSE(p.on_timer(t0 + milliseconds(1250), 2).polled);
  p.on_describe_failed(); // the second call failed: the round is over
  auto again = p.on_timer(t0 + milliseconds(1750), 2);
  CHECK(again.polled);
}
