// Rate-aware placement end to end on the simulated cloud, in virtual time: the supervisor
// splits a request over the providers' create buckets and releases it in waves; what it has
// not sent yet moves when a provider throttles or a zone is blocklisted; a deadline spills to
// a dearer provider only as far as it needs. Shares are counted from where the instances run.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "tests/actors/supervisor_bench.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// A provider whose create bucket holds `burst` instances and refills `per_sec`; calls are not
/// what limits it.
provider_config paced(double burst, double per_sec) {
  provider_config p;
  p.limits = rate_limits::unlimited();
  p.limits.create = bucket_config{1000, 1000};
  p.limits.create_instances = bucket_config{burst, per_sec};
  return p;
}

supervisor_config policy(placement_policy x, duration within = {}) {
  supervisor_config sc;
  sc.policy = x;
  sc.within = within;
  return sc;
}

provision_request micro(int count) {
  return provision_request::make("job", resources{}.cpus(1).memory_gib(1)).count(count);
}

const std::vector<std::string> east_west{"us-east-1", "us-west-2"};

/// Runs `b` until `id` is done or `limit` of virtual time passed.
const request_done* run_until_done(supervisor_bench& b, const request_id& id, duration limit) {
  for (duration t{0}; t < limit && b.done_of(id) == nullptr; t += milliseconds(500))
    b.f.advance(milliseconds(500), milliseconds(10));
  return b.done_of(id);
}

/// Submits `req`, runs it to its end and gives where its instances run, by region.
std::map<std::string, int> split_of(supervisor_bench& b, const provision_request& req,
                                    duration limit = seconds(60)) {
  auto id = b.submit(req);
  auto d = run_until_done(b, id, limit);
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(d->failures.empty());
  auto by = b.running_by_region(id);
  CHECK(by["us-east-1"] + by["us-west-2"] == req.count());
  return by;
}

cloud_error throttled() {
  return make_cloud_error(error_kind::throttled, "RequestLimitExceeded", "Request limit exceeded.");
}

} // namespace

TEST_CASE("supervisor split: equal providers get equal shares") {
  supervisor_bench b{sim_config::unlimited(), east_west, policy(placement_policy::fastest),
                     {paced(100, 100), paced(100, 100)}};
  auto by = split_of(b, micro(1200));
  CHECK(std::abs(by["us-east-1"] - by["us-west-2"]) <= 50); // one wave at most
}

TEST_CASE("supervisor split: a provider with half the refill gets half") {
  supervisor_bench b{sim_config::unlimited(), east_west, policy(placement_policy::fastest),
                     {paced(200, 200), paced(100, 100)}};
  auto by = split_of(b, micro(3000));
  CHECK(by["us-east-1"] == Approx(2000).margin(60));
  CHECK(by["us-west-2"] == Approx(1000).margin(60));
}

TEST_CASE("supervisor split: a throttling provider sheds its unsent share to the others") {
  supervisor_bench b{sim_config::unlimited(), east_west, policy(placement_policy::fastest),
                     {paced(100, 100), paced(100, 100)}};
  b.apis[0]->fault = fail_first(api_op::create, 6, throttled());
  auto by = split_of(b, micro(2000));
  CHECK(by["us-east-1"] < 850); // its equal share was 1000
  CHECK(by["us-west-2"] > by["us-east-1"] + 300);
  // What was sent to it stayed there: every create it got through was for an instance that
  // runs there now (a throttled call went again with the same instances).
  size_t created_east = 0;
  for (auto& c : b.apis[0]->of(api_op::create))
    created_east += c.call.size();
  CHECK(created_east >= static_cast<size_t>(by["us-east-1"]));
}

TEST_CASE("supervisor split: a blocklisted zone's share moves to the other provider") {
  auto sim = sim_config::unlimited();
  supervisor_bench b{sim, east_west, policy(placement_policy::fastest),
                     {paced(100, 100), paced(100, 100)}};
  auto id = b.submit(micro(2000).zone("us-east-1a").zone("us-west-2a"));
  b.f.advance(seconds(3), milliseconds(10));
  b.f.cloud->set_zone_capacity("us-east-1a", 0); // full from now on: the next create fails
  auto before = b.running_by_region(id)["us-east-1"];
  auto d = run_until_done(b, id, seconds(60));
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(d->failures.empty());
  auto by = b.running_by_region(id);
  INFO("east " << by["us-east-1"] << " (" << before << " before the block), west "
               << by["us-west-2"]);
  CHECK(before >= 200);
  CHECK(by["us-east-1"] <= before + 300); // at most what waited there when it filled up
  CHECK(by["us-east-1"] < 1000);
  CHECK(by["us-east-1"] + by["us-west-2"] == 2000);
}

TEST_CASE("supervisor split: a deadline spills to the dearer provider only as much as needed") {
  auto sim = sim_config::unlimited();
  sim.price_factor["us-west-2"] = 1.5;
  // The cheap provider admits 100 + 100 x 4.5 = 550 within 5 s less the margin of a tenth of
  // it: 450 must spill.
  {
    supervisor_bench b{sim, east_west, policy(placement_policy::cheapest_within, seconds(5)),
                       {paced(100, 100), paced(100, 100)}};
    auto by = split_of(b, micro(1000));
    CHECK(by["us-east-1"] == Approx(550).margin(50));
    CHECK(by["us-west-2"] == Approx(450).margin(50));
  }
  // 20 s is enough for the cheap one alone: nothing spills.
  {
    supervisor_bench b{sim, east_west, policy(placement_policy::cheapest_within, seconds(20)),
                       {paced(100, 100), paced(100, 100)}};
    auto by = split_of(b, micro(1000));
    CHECK(by["us-east-1"] == 1000);
    CHECK(by["us-west-2"] == 0);
  }
}

TEST_CASE("supervisor split: the quote is the split the placement follows") {
  std::vector<std::string> three{"us-east-1", "us-west-2", "eu-west-1"};
  std::vector<provider_config> limits(3, paced(1000, 40));
  {
    supervisor_bench b{sim_config::unlimited(), three, policy(placement_policy::fastest), limits};
    auto q = b.f.ask<placement_quote>(b.sup, quote_atom::value, micro(6000));
    REQUIRE(q);
    CHECK(q->error.empty());
    REQUIRE(q->lanes.size() == 3);
    for (auto& l : q->lanes)
      CHECK(l.share == 2000);
    CHECK(q->seconds == Approx(25).margin(0.5));
    INFO(q->summary());
    CHECK(q->summary().find("6000 on 3 providers") != std::string::npos);
    CHECK(q->summary().find("expected all created in ~25 s") != std::string::npos);
  }
  {
    supervisor_bench b{sim_config::unlimited(), three, policy(placement_policy::cheapest), limits};
    auto q = b.f.ask<placement_quote>(b.sup, quote_atom::value, micro(6000));
    REQUIRE(q);
    CHECK(q->used() == 1);
    CHECK(q->seconds == Approx(125).margin(0.5));
    auto bad = b.f.ask<placement_quote>(b.sup, quote_atom::value, micro(0));
    CHECK_FALSE(bad);
    CHECK(b.f.last_error.find("count") != std::string::npos);
  }
}
