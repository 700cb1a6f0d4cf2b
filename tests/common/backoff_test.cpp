#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "common/backoff.hpp"

using namespace styx;

namespace {

backoff_policy policy(duration base, duration cap, int max_attempts = 5,
                      jitter_mode jitter = jitter_mode::full) {
  backoff_policy result;
  result.base = base;
  result.cap = cap;
  result.max_attempts = max_attempts;
  result.jitter = jitter;
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

TEST_CASE("backoff defaults to full jitter") {
  CHECK(backoff_policy{}.jitter == jitter_mode::full);
  backoff_policy p{milliseconds(200), seconds(20), 6}; // the provider's brace form
  CHECK(p.jitter == jitter_mode::full);
}

TEST_CASE("backoff ceiling doubles from base up to cap") {
  std::mt19937_64 rng{1};
  backoff b{policy(milliseconds(100), seconds(5)), rng};
  CHECK(b.ceiling(1) == milliseconds(100));
  CHECK(b.ceiling(2) == milliseconds(200));
  CHECK(b.ceiling(6) == milliseconds(3200));
  CHECK(b.ceiling(7) == seconds(5));
  CHECK(b.ceiling(1000) == seconds(5));
  CHECK(b.ceiling(0) == milliseconds(100)); // before the first retry: no shorter than base
}

TEST_CASE("backoff without jitter waits 100 ms doubling to 5 s") {
  std::mt19937_64 rng{1};
  backoff b{policy(milliseconds(100), seconds(5), 5, jitter_mode::none), rng};
  const duration expected[] = {milliseconds(100), milliseconds(200), milliseconds(400),
                               milliseconds(800), milliseconds(1600), milliseconds(3200),
                               seconds(5),        seconds(5)};
  for (int retry = 1; retry <= 8; ++retry) {
    INFO("retry " << retry);
    CHECK(b.delay(retry) == expected[retry - 1]);
    CHECK(b.delay(retry) == b.ceiling(retry)); // the same every time
  }
  CHECK(b.delay(100) == seconds(5));
}

TEST_CASE("backoff without jitter draws nothing from the generator") {
  std::mt19937_64 rng{99};
  std::mt19937_64 untouched{99};
  backoff b{policy(milliseconds(100), seconds(5), 5, jitter_mode::none), rng};
  for (int retry = 1; retry <= 20; ++retry)
    b.delay(retry);
  CHECK(rng() == untouched());
}

TEST_CASE("backoff without jitter still honours Retry-After as a floor") {
  std::mt19937_64 rng{1};
  backoff b{policy(milliseconds(100), seconds(5), 5, jitter_mode::none), rng};
  CHECK(b.delay(1, seconds(2)) == seconds(2));
  CHECK(b.delay(1, seconds(30)) == seconds(30)); // above the cap too
  CHECK(b.delay(4, milliseconds(300)) == milliseconds(800));
}

TEST_CASE("backoff with equal jitter stays in the upper half of its ceiling") {
  std::mt19937_64 rng{5};
  backoff b{policy(milliseconds(100), seconds(2), 5, jitter_mode::equal), rng};
  for (int retry = 1; retry <= 8; ++retry) {
    auto ceiling = b.ceiling(retry);
    INFO("retry " << retry << ", ceiling " << ceiling.count() << "ns");
    const int draws = 2000;
    int low_quarter = 0; // of the upper half
    int high_quarter = 0;
    for (int i = 0; i < draws; ++i) {
      auto d = b.delay(retry);
      REQUIRE(d >= ceiling / 2);
      REQUIRE(d < ceiling);
      if (d < ceiling / 2 + ceiling / 4)
        ++low_quarter;
      else
        ++high_quarter;
    }
    CHECK(low_quarter > draws / 3); // spread over the whole upper half
    CHECK(high_quarter > draws / 3);
  }
  CHECK(b.delay(1, seconds(3)) == seconds(3)); // Retry-After wins here too
}

TEST_CASE("backoff with equal jitter is deterministic for equal seeds") {
  std::mt19937_64 rng_a{77};
  std::mt19937_64 rng_b{77};
  auto p = policy(milliseconds(100), seconds(5), 5, jitter_mode::equal);
  backoff a{p, rng_a};
  backoff b{p, rng_b};
  for (int retry = 1; retry <= 30; ++retry)
    REQUIRE(a.delay(retry) == b.delay(retry));
}

TEST_CASE("backoff with a zero base does not wait with any jitter") {
  for (auto mode : {jitter_mode::full, jitter_mode::equal, jitter_mode::none}) {
    std::mt19937_64 rng{1};
    backoff b{policy(duration::zero(), seconds(1), 5, mode), rng};
    CHECK(b.delay(1) == duration::zero());
    CHECK(b.delay(10) == duration::zero());
  }
}
