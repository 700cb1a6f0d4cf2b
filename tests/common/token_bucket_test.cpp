#include <catch2/catch.hpp>

#include "common/time.hpp"
#include "common/token_bucket.hpp"

using namespace styx;

namespace {

bucket_config cfg(double capacity, double refill_per_sec) {
  bucket_config result;
  result.capacity = capacity;
  result.refill_per_sec = refill_per_sec;
  return result;
}

} // namespace

TEST_CASE("a token bucket starts full") {
  manual_clock clk;
  token_bucket b{cfg(10, 2), clk.now()};
  CHECK(b.available(clk.now()) == Approx(10));
  CHECK(b.time_until(10, clk.now()) == duration::zero());
  CHECK(b.try_consume(10, clk.now()));
  CHECK(b.available(clk.now()) == Approx(0).margin(1e-9));
  CHECK_FALSE(b.try_consume(1, clk.now()));
}

TEST_CASE("a token bucket refills at its rate and no further than its capacity") {
  manual_clock clk;
  token_bucket b{cfg(10, 2), clk.now()};
  REQUIRE(b.try_consume(10, clk.now()));
  clk.advance(milliseconds(500));
  CHECK(b.available(clk.now()) == Approx(1));
  clk.advance(seconds(2));
  CHECK(b.available(clk.now()) == Approx(5));
  clk.advance(seconds(1000));
  CHECK(b.available(clk.now()) == Approx(10));
  // Only the capacity is there after a long rest, not the rest's full refill.
  CHECK(b.try_consume(10, clk.now()));
  CHECK_FALSE(b.try_consume(0.5, clk.now()));
}

TEST_CASE("token bucket consumption is all or nothing") {
  manual_clock clk;
  token_bucket b{cfg(5, 1), clk.now()};
  REQUIRE(b.try_consume(3, clk.now()));
  CHECK_FALSE(b.try_consume(3, clk.now())); // 2 there: takes none
  CHECK(b.available(clk.now()) == Approx(2));
  CHECK(b.try_consume(2, clk.now()));
  CHECK(b.available(clk.now()) == Approx(0).margin(1e-9));
}

TEST_CASE("token bucket time_until is enough to consume after waiting that long") {
  const double rates[] = {1, 3, 7.5, 100, 0.3};
  const double wants[] = {1, 2.5, 3, 0.1};
  for (double rate : rates) {
    for (double n : wants) {
      manual_clock clk;
      token_bucket b{cfg(3, rate), clk.now()};
      REQUIRE(b.try_consume(3, clk.now()));
      auto wait = b.time_until(n, clk.now());
      INFO("rate " << rate << ", n " << n << ", wait " << wait.count() << "ns");
      CHECK(wait > duration::zero());
      // Exact enough: within a microsecond (it rounds up to whole microseconds) of n / rate.
      CHECK(to_seconds(wait) >= n / rate - 1e-9);
      CHECK(to_seconds(wait) <= n / rate + 2e-6);
      // Not yet a microsecond earlier...
      if (wait > std::chrono::microseconds(2)) {
        token_bucket probe = b;
        CHECK_FALSE(probe.try_consume(n, clk.now() + wait - std::chrono::microseconds(2)));
      }
      // ...but exactly then.
      clk.advance(wait);
      CHECK(b.time_until(n, clk.now()) == duration::zero());
      CHECK(b.try_consume(n, clk.now()));
    }
  }
}

TEST_CASE("token bucket time_until counts tokens already there") {
  manual_clock clk;
  token_bucket b{cfg(10, 2), clk.now()};
  REQUIRE(b.try_consume(9, clk.now())); // 1 left
  auto wait = b.time_until(4, clk.now()); // 3 missing at 2/s
  CHECK(to_seconds(wait) == Approx(1.5).margin(2e-6));
  CHECK(b.time_until(1, clk.now()) == duration::zero());
}

TEST_CASE("token bucket time_until is forever for more than the capacity") {
  manual_clock clk;
  token_bucket b{cfg(10, 2), clk.now()};
  CHECK(b.time_until(11, clk.now()) == duration::max());
  CHECK_FALSE(b.try_consume(11, clk.now()));
  clk.advance(seconds(3600));
  CHECK_FALSE(b.try_consume(11, clk.now()));
  // And forever when it never refills.
  token_bucket no_refill{cfg(5, 0), clk.now()};
  REQUIRE(no_refill.try_consume(5, clk.now()));
  CHECK(no_refill.time_until(1, clk.now()) == duration::max());
  clk.advance(seconds(3600));
  CHECK_FALSE(no_refill.try_consume(1, clk.now()));
}

TEST_CASE("token bucket ignores time going backwards") {
  manual_clock clk;
  token_bucket b{cfg(10, 1), clk.now()};
  REQUIRE(b.try_consume(10, clk.now()));
  auto t0 = clk.now();
  clk.advance(seconds(4));
  CHECK(b.available(clk.now()) == Approx(4));
  // An earlier `now` neither adds nor removes tokens...
  CHECK(b.available(t0) == Approx(4));
  CHECK(b.available(t0 - seconds(100)) == Approx(4));
  // ...nor moves the refill mark back: one more second adds exactly one token.
  CHECK(b.available(clk.now() + seconds(1)) == Approx(5));
}

TEST_CASE("token bucket drain empties it until it refills") {
  manual_clock clk;
  token_bucket b{cfg(10, 5), clk.now()};
  b.drain(clk.now());
  CHECK(b.available(clk.now()) == Approx(0).margin(1e-9));
  CHECK_FALSE(b.try_consume(1, clk.now()));
  CHECK(to_seconds(b.time_until(1, clk.now())) == Approx(0.2).margin(2e-6));
  clk.advance(milliseconds(200));
  CHECK(b.try_consume(1, clk.now()));
}

TEST_CASE("an unlimited token bucket always gives") {
  manual_clock clk;
  token_bucket dflt;
  CHECK(dflt.unlimited());
  token_bucket b{cfg(0, 0), clk.now()};
  CHECK(b.unlimited());
  for (int i = 0; i < 1000; ++i)
    REQUIRE(b.try_consume(1e6, clk.now()));
  CHECK(b.time_until(1e12, clk.now()) == duration::zero());
  CHECK(b.available(clk.now()) == std::numeric_limits<double>::infinity());
  b.drain(clk.now());
  CHECK(b.try_consume(1, clk.now()));
  CHECK_FALSE(token_bucket(cfg(1, 0), clk.now()).unlimited());
  CHECK_FALSE(token_bucket(cfg(0, 1), clk.now()).unlimited());
}

TEST_CASE("a bucket with no capacity but a refill never gives") {
  // capacity 0 with a positive rate is not unlimited: it can never hold a token.
  manual_clock clk;
  token_bucket b{cfg(0, 10), clk.now()};
  clk.advance(seconds(10));
  CHECK_FALSE(b.try_consume(1, clk.now()));
  CHECK(b.time_until(1, clk.now()) == duration::max());
}

TEST_CASE("token bucket charge takes tokens that are not there and later takes wait for them") {
  auto t0 = time_point{} + seconds(100);
  token_bucket b{bucket_config{2, 1}, t0};
  b.charge(5, t0); // 2 there: 3 in debt
  CHECK(b.available(t0) == Approx(-3));
  CHECK(b.time_until(1, t0) == seconds(4));
  CHECK_FALSE(b.try_consume(1, t0 + seconds(3)));
  CHECK(b.try_consume(1, t0 + seconds(4)));
  token_bucket unlimited;
  unlimited.charge(1000, t0);
  CHECK(unlimited.try_consume(1, t0));
}
