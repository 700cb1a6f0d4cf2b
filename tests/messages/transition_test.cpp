// The one transition function: the table, the edges that hold only for a reason, and a property
// over random records and observations.

#include <catch2/catch.hpp>

#include <random>

#include "messages/transition.hpp"

using namespace styx;
using s = instance_state;
using why = state_reason;

namespace {

instance_record record_in(s state, why reason = why::none) {
  instance_record r;
  r.state = state;
  r.reason = reason;
  r.since = 5;
  r.cloud_id = "i-1";
  r.last_error = "before";
  return r;
}

} // namespace

TEST_CASE("state_reason names round-trip and none prints empty") {
  for (int i = 0; i < state_reason_count; ++i) {
    auto r = static_cast<why>(i);
    auto parsed = parse_state_reason(to_string(r));
    REQUIRE(parsed);
    CHECK(*parsed == r);
  }
  CHECK(std::string(to_string(why::none)).empty());
  CHECK_FALSE(parse_state_reason("bogus"));
}

TEST_CASE("advance moves a legal step and sets since and reason and words") {
  auto r = advance(record_in(s::running), observation{s::terminated, why::preempted, 77, "spot"});
  CHECK(r.changed);
  CHECK_FALSE(r.refused);
  CHECK(r.from == s::running);
  CHECK(r.record.state == s::terminated);
  CHECK(r.record.reason == why::preempted);
  CHECK(r.record.since == 77);
  CHECK(r.record.last_error == "spot");
  CHECK(r.record.cloud_id == "i-1"); // identity is not the function's to change
}

TEST_CASE("advance refuses what the table forbids and leaves the record") {
  auto r = advance(record_in(s::terminated), observation{s::running, why::none, 77, "x"});
  CHECK(r.refused);
  CHECK_FALSE(r.changed);
  CHECK(r.record.state == s::terminated);
  CHECK(r.record.since == 5);
  CHECK(r.record.last_error == "before");
}

TEST_CASE("the same state changes nothing but the words") {
  auto r = advance(record_in(s::running), observation{s::running, why::none, 77, "stop failed"});
  CHECK_FALSE(r.changed);
  CHECK_FALSE(r.refused);
  CHECK(r.record.since == 5);
  CHECK(r.record.last_error == "stop failed");
  r = advance(record_in(s::running), observation{s::running, why::none, 77, ""});
  CHECK(r.record.last_error == "before");
}

TEST_CASE("a lost provider fails only what was in flight") {
  CHECK(may_follow(s::requested, why::none, s::failed, why::provider_lost));
  CHECK(may_follow(s::pending, why::none, s::failed, why::provider_lost));
  // What ran or was changing keeps its last known state: nothing is claimed that was not seen.
  for (auto from : {s::running, s::stopping, s::stopped, s::starting, s::terminating})
    CHECK_FALSE(may_follow(from, why::none, s::failed, why::provider_lost));
  CHECK_FALSE(may_follow(s::terminated, why::none, s::failed, why::provider_lost));
  CHECK_FALSE(may_follow(s::running, why::none, s::failed, why::none));
  CHECK_FALSE(may_follow(s::running, why::none, s::failed, why::vanished));
}

TEST_CASE("a sighting overturns an inferred end but never an observed one") {
  CHECK(may_follow(s::failed, why::provider_lost, s::running, why::found));
  CHECK(may_follow(s::terminated, why::vanished, s::stopped, why::found));
  CHECK(may_follow(s::running, why::none, s::pending, why::found)); // a gap: resync
  CHECK_FALSE(may_follow(s::terminated, why::none, s::running, why::found));
  CHECK_FALSE(may_follow(s::terminated, why::preempted, s::running, why::found));
  CHECK_FALSE(may_follow(s::failed, why::create_failed, s::running, why::found));
  CHECK_FALSE(may_follow(s::failed, why::provider_lost, s::running, why::none));
  CHECK_FALSE(may_follow(s::running, why::none, s::requested, why::found));
}

TEST_CASE("random observations: every result is the input or a legal step from it") {
  std::mt19937 rng{20261201};
  std::uniform_int_distribution<int> state_of(0, instance_state_count - 1);
  std::uniform_int_distribution<int> reason_of(0, state_reason_count - 1);
  auto rec = record_in(s::requested);
  int changed = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    observation ob{static_cast<s>(state_of(rng)), static_cast<why>(reason_of(rng)), i, "w"};
    auto before = rec;
    auto r = advance(rec, ob);
    if (r.refused) {
      ++refused;
      CHECK(r.record.state == before.state);
      CHECK(r.record.since == before.since);
    } else if (r.changed) {
      ++changed;
      CHECK(may_follow(before.state, before.reason, r.record.state, r.record.reason));
      CHECK(r.record.state == ob.state);
      CHECK(r.record.since == i);
    }
    rec = r.record;
    if (is_final(rec.state) && !is_inferred(rec.reason) && rng() % 8 == 0)
      rec = record_in(s::requested); // a new instance, so the walk does not stall at an end
  }
  CHECK(changed > 1000);
  CHECK(refused > 1000);
}
