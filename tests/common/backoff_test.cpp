#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "common/backoff.hpp"

using namespace styx;

namespace {

backoff_policy policy(duration base, duration cap, int max_attempts = 5) {
  backoff_policy result;
  result.base = base;
  result.cap = cap;
  result.max_attempts = max_attempts;
  return result;
}

} // namespace

TEST_CASE("backoff delay k is uniform from 0 up to min(cap, base times 2 to the k-1)") {
  std::mt19937_64 rng{42};
  backoff b{policy(milliseconds(100), seconds(2)), rng};
  const duration ceilings[] = {milliseconds(100), milliseconds(200), milliseconds(400),
                               milliseconds(800), milliseconds(1600), seconds(2),
                               seconds(2), seconds(2)};
  for (int retry = 1; retry <= 8; ++retry) {
    auto ceiling = ceilings[retry - 1];
    INFO("retry " << retry << ", ceiling " << ceiling.count() << "ns");
    const int draws = 4000;
    int low_half = 0;
    int high_half = 0;
    int top_tenth = 0;
    duration lo = duration::max();
    duration hi = duration::min();
    for (int i = 0; i < draws; ++i) {
      auto d = b.delay(retry);
      REQUIRE(d >= duration::zero());
      REQUIRE(d < ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
      if (d < ceiling / 2)
        ++low_half;
      else
        ++high_half;
      if (d >= ceiling - ceiling / 10)
        ++top_tenth;
    }
    // Not degenerate: both halves hit about equally, and the range is covered end to end.
    CHECK(low_half > draws / 3);
    CHECK(high_half > draws / 3);
    CHECK(top_tenth > draws / 20);
    CHECK(lo < ceiling / 20);
    CHECK(hi > ceiling - ceiling / 20);
  }
}

TEST_CASE("backoff never exceeds its cap, however many retries") {
  std::mt19937_64 rng{7};
  backoff b{policy(milliseconds(100), seconds(20)), rng};
  for (int retry : {10, 20, 40, 63, 64, 100, 1000}) {
    for (int i = 0; i < 200; ++i) {
      auto d = b.delay(retry);
      REQUIRE(d >= duration::zero());
      REQUIRE(d < seconds(20));
    }
  }
}

TEST_CASE("backoff with a base above its cap is capped from the first retry") {
  std::mt19937_64 rng{7};
  backoff b{policy(seconds(30), seconds(5)), rng};
  for (int i = 0; i < 500; ++i)
    REQUIRE(b.delay(1) < seconds(5));
}

TEST_CASE("backoff honours Retry-After as a floor") {
  std::mt19937_64 rng{1};
  backoff b{policy(milliseconds(100), seconds(20)), rng};
  // A Retry-After above the jitter's ceiling wins every time, even above the cap.
  for (int i = 0; i < 200; ++i) {
    REQUIRE(b.delay(1, seconds(3)) == seconds(3));
    REQUIRE(b.delay(1, seconds(60)) == seconds(60));
  }
  // A Retry-After inside the range is a floor: never below it, sometimes above it.
  int above = 0;
  for (int i = 0; i < 1000; ++i) {
    auto d = b.delay(5, milliseconds(500)); // ceiling 1.6 s
    REQUIRE(d >= milliseconds(500));
    REQUIRE(d < milliseconds(1600));
    if (d > milliseconds(500))
      ++above;
  }
  CHECK(above > 500);
}

TEST_CASE("backoff may_retry counts attempts against max_attempts") {
  std::mt19937_64 rng{1};
  backoff b{policy(milliseconds(100), seconds(20), 3), rng};
  CHECK(b.may_retry(1));
  CHECK(b.may_retry(2));
  CHECK_FALSE(b.may_retry(3));
  CHECK_FALSE(b.may_retry(4));
  backoff once{policy(milliseconds(100), seconds(20), 1), rng};
  CHECK_FALSE(once.may_retry(1));
  CHECK(backoff_policy{}.max_attempts == 5);
}

TEST_CASE("backoff is deterministic for equal seeds") {
  std::mt19937_64 rng_a{1234};
  std::mt19937_64 rng_b{1234};
  std::mt19937_64 rng_c{4321};
  backoff a{backoff_policy{}, rng_a};
  backoff b{backoff_policy{}, rng_b};
  backoff c{backoff_policy{}, rng_c};
  std::vector<duration> da, db, dc;
  for (int i = 0; i < 100; ++i) {
    int retry = 1 + i % 6;
    da.push_back(a.delay(retry));
    db.push_back(b.delay(retry));
    dc.push_back(c.delay(retry));
  }
  CHECK(da == db);
  CHECK(da != dc);
}

TEST_CASE("backoff with a zero base does not wait") {
  std::mt19937_64 rng{1};
  backoff b{policy(duration::zero(), seconds(1)), rng};
  CHECK(b.delay(1) == duration::zero());
  CHECK(b.delay(10) == duration::zero());
  CHECK(b.delay(3, milliseconds(250)) == milliseconds(250));
}
