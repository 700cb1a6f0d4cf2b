// styx bench's request plan: shapes, arrival patterns, and the bound of a plan.

#include <catch2/catch.hpp>

#include <numeric>

#include "runtime/bench.hpp"
#include "runtime/bench_plan.hpp"

using namespace styx;

namespace {

int total(const std::vector<planned_request>& plan) {
  return std::accumulate(plan.begin(), plan.end(), 0,
                         [](int n, const planned_request& p) { return n + p.count; });
}

bench_options with(int count, const std::string& shape, int requests = 1) {
  bench_options o;
  o.count = count;
  o.shape = shape;
  o.requests = requests;
  return o;
}

} // namespace

TEST_CASE("bench plan: even parts, one of N, N of 1") {
  auto plan = plan_requests(with(10, "even", 3));
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].count == 4);
  CHECK(plan[1].count == 3);
  CHECK(plan[2].count == 3);
  CHECK(plan_requests(with(10, "even", 1)).size() == 1);
  auto singles = plan_requests(with(10, "even", 10));
  REQUIRE(singles.size() == 10);
  for (auto& p : singles) {
    CHECK(p.count == 1);
    CHECK(p.at == 0); // burst: all at once
  }
}

TEST_CASE("bench plan: a mix sums to the count, sizes 1 to 1000, repeatable by seed") {
  auto o = with(20000, "mix");
  auto a = plan_requests(o);
  CHECK(total(a) == 20000);
  bool small = false, large = false;
  for (auto& p : a) {
    CHECK(p.count >= 1);
    CHECK(p.count <= 1000);
    small = small || p.count <= 10;
    large = large || p.count >= 500;
  }
  CHECK(small);
  CHECK(large);
  auto b = plan_requests(o);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(a[i].count == b[i].count);
  o.seed = 2;
  auto c = plan_requests(o);
  bool differs = c.size() != a.size();
  for (size_t i = 0; !differs && i < a.size(); ++i)
    differs = a[i].count != c[i].count;
  CHECK(differs);
}

TEST_CASE("bench plan: uniform and poisson arrivals") {
  auto o = with(1000, "even", 1000);
  o.arrival = "uniform";
  o.arrival_rate = 100;
  auto u = plan_requests(o);
  REQUIRE(u.size() == 1000);
  CHECK(u[0].at == Approx(0));
  CHECK(u[999].at == Approx(9.99));
  o.arrival = "poisson";
  auto p = plan_requests(o);
  CHECK(p[0].at == 0);
  for (size_t i = 1; i < p.size(); ++i)
    CHECK(p[i].at >= p[i - 1].at);
  // 999 exponential gaps of mean 10 ms: within 15 % of 9.99 s for this seed.
  CHECK(p.back().at == Approx(9.99).epsilon(0.15));
  CHECK(p.back().at != Approx(u.back().at).epsilon(1e-6)); // not evenly spaced
}

TEST_CASE("bench plan: bad shapes and arrivals get a one-line reason") {
  CHECK(check_plan_options(with(10, "even", 3)).empty());
  CHECK_FALSE(check_plan_options(with(10, "zigzag")).empty());
  CHECK_FALSE(check_plan_options(with(10, "even", 11)).empty());
  auto o = with(10, "mix");
  o.arrival = "uniform"; // without a rate
  CHECK(check_plan_options(o).find("arrival rate") != std::string::npos);
  o.arrival = "sometimes";
  CHECK_FALSE(check_plan_options(o).empty());
}

TEST_CASE("bench plan: the bound is the busiest provider's buckets, or the last arrival") {
  rate_limits ec2; // 1000 instances of burst, 2 per second; 5 calls of burst, 2 per second
  CHECK(create_bound_seconds(ec2, 1000) == 0);
  CHECK(create_bound_seconds(ec2, 3000) == Approx(1000));
  // Round-robin: requests 0 and 2 on provider 0 (3000), request 1 on provider 1 (1000).
  std::vector<planned_request> plan{{0, 1500}, {0, 1000}, {0, 1500}};
  CHECK(plan_bound_seconds(plan, ec2, 2) == Approx(1000));
  CHECK(plan_bound_seconds(plan, ec2, 3) == Approx(250)); // 1500 on the busiest
  // Requests that arrive late cannot be created before they arrive.
  std::vector<planned_request> late{{0, 10}, {500, 10}};
  CHECK(plan_bound_seconds(late, rate_limits::unlimited(), 1) == Approx(500));
}

TEST_CASE("bench plan: the combined limit of one request is every provider's buckets at once") {
  rate_limits ec2;
  ec2.scale_refill(20); // 1000 of burst, 40 per second
  std::vector<planned_request> one{{0, 6000}};
  // The run: one provider's bucket alone takes 125 s; all three in parallel 25 s.
  CHECK(plan_bound_seconds(one, ec2, 3) == Approx(125));
  CHECK(combined_limit_seconds(one, std::vector<rate_limits>(3, ec2)) == Approx(25));
  CHECK(combined_limit_seconds(one, std::vector<rate_limits>(1, ec2)) == Approx(125));
  // Its ideal curve: the three bursts at once, then 120 a second.
  std::vector<rate_limits> three(3, ec2);
  CHECK(combined_created_by(one, three, 0) == Approx(3000));
  CHECK(combined_created_by(one, three, 12.5) == Approx(4500));
  CHECK(combined_created_by(one, three, 30) == Approx(6000));
  CHECK(combined_limit_seconds({{0, 2000}}, three) == Approx(0)); // within the bursts
}

TEST_CASE("bench plan: the combined limit of even parts does not depend on the parts") {
  rate_limits ec2;
  ec2.scale_refill(50); // 100 per second
  std::vector<rate_limits> five(5, ec2);
  std::vector<planned_request> parts(5, planned_request{0, 20000});
  CHECK(combined_limit_seconds(parts, five) == Approx(190)); // (100000 - 5000) / 500
  CHECK(combined_limit_seconds({{0, 100000}}, five) == Approx(190));
  // Whole requests round-robin: the same here, 20000 on each.
  CHECK(plan_bound_seconds(parts, ec2, 5) == Approx(190));
  // The uneven case: 5000 in 5 requests over 2 providers at x10 (20 per second).
  rate_limits x10;
  x10.scale_refill(10);
  std::vector<planned_request> five_of_1000(5, planned_request{0, 1000});
  CHECK(plan_bound_seconds(five_of_1000, x10, 2) == Approx(100));
  CHECK(combined_limit_seconds(five_of_1000, std::vector<rate_limits>(2, x10)) == Approx(75));
}

TEST_CASE("bench plan: the combined limit of a mix counts the arrivals") {
  rate_limits ec2; // 1000 of burst, 2 per second, on each of two providers
  std::vector<rate_limits> two(2, ec2);
  // Most of it arrives late: the buckets refilled while idle, but only to their burst.
  std::vector<planned_request> late{{0, 100}, {100, 5000}};
  CHECK(combined_limit_seconds(late, two) == Approx(850)); // 100 + (5000 - 2000) / 4
  CHECK(combined_created_by(late, two, 50) == Approx(100));
  CHECK(combined_created_by(late, two, 100) == Approx(2100));
  // Most of it early: the late request is limited by what is still queued.
  std::vector<planned_request> early{{0, 5000}, {100, 100}};
  CHECK(combined_limit_seconds(early, two) == Approx(775)); // (5100 - 2000) / 4
  // Unlimited buckets: the last arrival.
  std::vector<planned_request> spaced{{0, 10}, {5, 10}, {7, 3}};
  CHECK(combined_limit_seconds(spaced, std::vector<rate_limits>(2, rate_limits::unlimited()))
        == Approx(7));
  // A seeded mix from the planner sums up the same way: the arrivals do not matter at burst.
  bench_options o = with(20000, "mix");
  rate_limits x50;
  x50.scale_refill(50);
  CHECK(combined_limit_seconds(plan_requests(o), std::vector<rate_limits>(5, x50))
        == Approx(30)); // (20000 - 5000) / 500
}
