#include <catch2/catch.hpp>

#include "common/retry_budget.hpp"

using namespace styx;

TEST_CASE("retry budget defaults are the AWS standard mode's") {
  retry_budget_config cfg;
  CHECK(cfg.capacity == 500);
  CHECK(cfg.retry_cost == 5);
  CHECK(cfg.timeout_retry_cost == 10);
  CHECK(cfg.success_refund == 1);
  retry_budget b;
  CHECK(b.tokens() == 500);
}

TEST_CASE("retry budget pays 100 retries, then refuses without taking anything") {
  retry_budget b;
  for (int i = 0; i < 100; ++i)
    REQUIRE(b.try_acquire());
  CHECK(b.tokens() == 0);
  CHECK_FALSE(b.try_acquire());
  CHECK_FALSE(b.try_acquire(true));
  CHECK(b.tokens() == 0);
}

TEST_CASE("retry budget charges 10 for a timeout retry") {
  retry_budget b;
  for (int i = 0; i < 50; ++i)
    REQUIRE(b.try_acquire(true));
  CHECK(b.tokens() == 0);
  CHECK_FALSE(b.try_acquire(true));
}

TEST_CASE("retry budget refuses a timeout retry it cannot pay but still pays a cheap one") {
  retry_budget b;
  for (int i = 0; i < 98; ++i)
    REQUIRE(b.try_acquire());
  REQUIRE(b.tokens() == 10);
  REQUIRE(b.try_acquire()); // 5 left
  CHECK_FALSE(b.try_acquire(true));
  CHECK(b.tokens() == 5);
  CHECK(b.try_acquire());
  CHECK(b.tokens() == 0);
}

TEST_CASE("retry budget refunds a retry's cost on its success, and 1 on a first-try success") {
  retry_budget b;
  REQUIRE(b.try_acquire());
  REQUIRE(b.try_acquire(true));
  REQUIRE(b.tokens() == 485);
  b.on_success(true);
  CHECK(b.tokens() == 490);
  b.on_success(true, true);
  CHECK(b.tokens() == 500);
  for (int i = 0; i < 10; ++i)
    REQUIRE(b.try_acquire());
  REQUIRE(b.tokens() == 450);
  b.on_success(false);
  CHECK(b.tokens() == 451);
  b.on_success(false, true); // the timeout flag matters only after a retry
  CHECK(b.tokens() == 452);
}

TEST_CASE("retry budget never grows past its capacity") {
  retry_budget b;
  b.on_success(false);
  b.on_success(true);
  b.on_success(true, true);
  CHECK(b.tokens() == 500);
  REQUIRE(b.try_acquire());
  b.on_success(true, true); // refunds 10 for a retry that cost 5: still capped
  CHECK(b.tokens() == 500);
}

TEST_CASE("an exhausted retry budget recovers through successes") {
  retry_budget_config cfg;
  cfg.capacity = 12;
  retry_budget b{cfg};
  REQUIRE(b.try_acquire(true)); // 2 left
  CHECK_FALSE(b.try_acquire());
  for (int i = 0; i < 2; ++i)
    b.on_success(false);
  CHECK(b.tokens() == 4);
  CHECK_FALSE(b.try_acquire());
  b.on_success(false);
  CHECK(b.try_acquire());
  CHECK(b.tokens() == 0);
}
