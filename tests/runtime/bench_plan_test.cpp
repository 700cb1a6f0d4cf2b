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
