// The split of a request over providers without actors: water-filling over the create
// buckets, the policies, the deadline and the rounding.

#include <catch2/catch.hpp>

#include <numeric>

#include "actors/placement_plan.hpp"

using namespace styx;

namespace {

plan_lane lane(double tokens, double refill, double backlog = 0, double price = 0.01) {
  plan_lane l;
  l.tokens = tokens;
  l.refill = refill;
  l.backlog = backlog;
  l.price = price;
  return l;
}

int64_t sum(const std::vector<int64_t>& xs) {
  return std::accumulate(xs.begin(), xs.end(), int64_t{0});
}

plan_rule fastest{placement_policy::fastest, 0};

} // namespace

TEST_CASE("plan: one lane admits its tokens at once and then at its refill") {
  auto l = lane(1000, 40);
  CHECK(admits_within(l, 0) == Approx(1000));
  CHECK(admits_within(l, 10) == Approx(1400));
  CHECK(seconds_to_admit(l, 1000) == Approx(0));
  CHECK(seconds_to_admit(l, 6000) == Approx(125));
  l.backlog = 1400; // what waits there comes first
  CHECK(admits_within(l, 10) == Approx(0));
  CHECK(seconds_to_admit(l, 400) == Approx(20));
}

TEST_CASE("plan: the issue's fan-out - 6000 over 3 equal providers in 25 s") {
  std::vector<plan_lane> lanes(3, lane(1000, 40));
  CHECK(water_level(lanes, 6000) == Approx(25));
  auto split = plan_split(lanes, 6000, fastest);
  CHECK(split.shares == std::vector<int64_t>{2000, 2000, 2000});
  CHECK(split.seconds == Approx(25));
  // Cheapest (the default) keeps it on one: that provider's bucket alone.
  auto one = plan_split(lanes, 6000, plan_rule{placement_policy::cheapest, 0});
  CHECK(one.shares == std::vector<int64_t>{6000, 0, 0});
  CHECK(one.seconds == Approx(125));
}

TEST_CASE("plan: a lane with half the refill gets half") {
  std::vector<plan_lane> lanes{lane(20, 20), lane(10, 10)};
  auto split = plan_split(lanes, 3000, fastest);
  CHECK(split.shares == std::vector<int64_t>{2000, 1000});
  CHECK(split.seconds == Approx(99));
}

TEST_CASE("plan: a backlogged lane gets less and only once it frees up") {
  std::vector<plan_lane> lanes{lane(0, 100, 500), lane(0, 100)};
  // Lane 0 is busy for 5 s: lane 1 takes the first 500 alone, then they share.
  CHECK(water_level(lanes, 400) == Approx(4));
  auto small = plan_split(lanes, 400, fastest);
  CHECK(small.shares == std::vector<int64_t>{0, 400});
  auto big = plan_split(lanes, 1500, fastest);
  CHECK(big.shares == std::vector<int64_t>{500, 1000});
  CHECK(big.seconds == Approx(10));
}

TEST_CASE("plan: unlimited lanes take everything at once in equal parts") {
  plan_lane free;
  free.unlimited = true;
  std::vector<plan_lane> lanes{free, lane(1000, 2), free};
  CHECK(water_level(lanes, 1e6) == 0);
  auto split = plan_split(lanes, 1001, fastest);
  CHECK(split.shares == std::vector<int64_t>{501, 0, 500});
  CHECK(split.seconds == 0);
}

TEST_CASE("plan: shares always sum to the count whatever the rounding") {
  std::vector<plan_lane> lanes{lane(3, 7), lane(11, 13), lane(0, 1, 5), lane(2, 0)};
  for (int64_t n : {0, 1, 2, 3, 17, 999, 100003}) {
    auto split = plan_split(lanes, n, fastest);
    CHECK(sum(split.shares) == n);
    for (auto s : split.shares)
      CHECK(s >= 0);
  }
}

TEST_CASE("plan: no refill and too few tokens is never") {
  std::vector<plan_lane> lanes{lane(5, 0), lane(5, 0)};
  CHECK(water_level(lanes, 8) == 0);
  CHECK(water_level(lanes, 11) == plan_never);
  auto split = plan_split(lanes, 11, fastest);
  CHECK(sum(split.shares) == 11);
  CHECK(split.seconds == plan_never);
  CHECK(plan_split({}, 3, fastest).seconds == plan_never);
}

TEST_CASE("plan: cheapest-within spills only as far as the deadline needs") {
  // The cheap lane admits 100 + 100 x 5 = 600 within 5 s; the rest spills to the next price.
  std::vector<plan_lane> lanes{lane(100, 100, 0, 0.02), lane(100, 100, 0, 0.01),
                               lane(100, 100, 0, 0.03)};
  auto tight = plan_split(lanes, 1000, plan_rule{placement_policy::cheapest_within, 5});
  CHECK(tight.shares == std::vector<int64_t>{400, 600, 0});
  CHECK(tight.deadline_met);
  CHECK(tight.seconds <= Approx(5));
  CHECK(tight.spend_per_hour == Approx(400 * 0.02 + 600 * 0.01));
  CHECK(tight.cheapest_spend_per_hour == Approx(1000 * 0.01));
  // A deadline the cheapest lane meets alone: nothing spills.
  auto loose = plan_split(lanes, 1000, plan_rule{placement_policy::cheapest_within, 20});
  CHECK(loose.shares == std::vector<int64_t>{0, 1000, 0});
  CHECK(loose.spend_per_hour == Approx(loose.cheapest_spend_per_hour));
  // One the three cannot meet together: as fast as possible, said so.
  auto missed = plan_split(lanes, 3000, plan_rule{placement_policy::cheapest_within, 5});
  CHECK_FALSE(missed.deadline_met);
  CHECK(missed.shares == std::vector<int64_t>{1000, 1000, 1000});
}

TEST_CASE("plan: cheapest-within water-fills lanes of one price") {
  std::vector<plan_lane> lanes{lane(0, 100, 0, 0.01), lane(0, 100, 0, 0.01),
                               lane(0, 100, 0, 0.05)};
  auto split = plan_split(lanes, 1000, plan_rule{placement_policy::cheapest_within, 8});
  CHECK(split.shares == std::vector<int64_t>{500, 500, 0});
  CHECK(split.seconds == Approx(5));
}

TEST_CASE("plan: round-robin takes the first lane and least-loaded gives equal parts") {
  std::vector<plan_lane> lanes{lane(0, 1, 0, 0.5), lane(0, 1, 0, 0.1)};
  CHECK(plan_split(lanes, 10, plan_rule{placement_policy::round_robin, 0}).shares
        == std::vector<int64_t>{10, 0});
  CHECK(plan_split(lanes, 10, plan_rule{placement_policy::cheapest, 0}).shares
        == std::vector<int64_t>{0, 10});
  CHECK(plan_split(lanes, 11, plan_rule{placement_policy::least_loaded, 0}).shares
        == std::vector<int64_t>{6, 5});
}

TEST_CASE("plan: policies and spans parse from their words") {
  placement_policy p = placement_policy::cheapest;
  CHECK(parse_placement_policy("fastest", p));
  CHECK(p == placement_policy::fastest);
  CHECK(parse_placement_policy("cheapest-within", p));
  CHECK(p == placement_policy::cheapest_within);
  CHECK(std::string{to_string(p)} == "cheapest-within");
  CHECK_FALSE(parse_placement_policy("quickest", p));
  duration d{};
  CHECK(parse_span("90", d));
  CHECK(d == seconds(90));
  CHECK(parse_span("1.5m", d));
  CHECK(d == seconds(90));
  CHECK(parse_span("500ms", d));
  CHECK(d == milliseconds(500));
  CHECK(parse_span("2h", d));
  CHECK(d == std::chrono::hours(2));
  CHECK_FALSE(parse_span("-3", d));
  CHECK_FALSE(parse_span("soon", d));
  CHECK_FALSE(parse_span("5 parsecs", d));
  CHECK_FALSE(parse_span("nan", d));
}
