// Placement policy without actors: rank_candidates() and the blocklist.

#include <catch2/catch.hpp>

#include "actors/placement.hpp"

using namespace styx;

namespace {

offering make_offer(const std::string& cloud, const std::string& region, const std::string& zone,
                    const std::string& type, double cpus, double mem, double od, double spot,
                    int gpus = 0, const std::string& gpu_kind = "") {
  offering o;
  o.provider = provider_id{cloud, region};
  o.zone = zone;
  o.instance_type = type;
  o.cpus = cpus;
  o.memory_gib = mem;
  o.gpus = gpus;
  o.gpu_kind = gpu_kind;
  o.on_demand_price = od;
  o.spot_price = spot;
  return o;
}

/// Two providers: sim/east with two zones, aws/west with one zone.
struct two_providers {
  catalog east{
    make_offer("sim", "east", "east-a", "small", 2, 4, 0.10, 0.03),
    make_offer("sim", "east", "east-a", "big", 8, 32, 0.40, 0.12),
    make_offer("sim", "east", "east-b", "small", 2, 4, 0.10, 0.0), // no spot market
    make_offer("sim", "east", "east-b", "gpu", 8, 64, 3.00, 1.00, 1, "V100"),
  };
  catalog west{
    make_offer("aws", "west", "west-a", "small", 2, 4, 0.08, 0.05),
    make_offer("aws", "west", "west-a", "gpu", 8, 64, 1.00, 0.50, 1, "A10G"),
  };
  std::vector<provider_view> views{provider_view{{"sim", "east"}, &east, 0},
                                   provider_view{{"aws", "west"}, &west, 0}};
  blocklist none;
  time_point now{};

  std::vector<candidate> rank(const provision_request& req,
                              placement_policy p = placement_policy::cheapest,
                              size_t cursor = 0) {
    return rank_candidates(req, views, p, none, now, cursor);
  }
};

std::vector<std::string> names(const std::vector<candidate>& cs) {
  std::vector<std::string> out;
  for (auto& c : cs)
    out.push_back(c.offer.provider.region + "/" + c.offer.zone + "/" + c.offer.instance_type);
  return out;
}

provision_request small_req() {
  return provision_request::make("r", resources{}.cpus(2).memory_gib(4));
}

} // namespace

TEST_CASE("placement: cheapest ranks every fitting offering by price, ties by zone") {
  two_providers w;
  auto cs = w.rank(small_req());
  CHECK(names(cs)
        == std::vector<std::string>{"west/west-a/small", "east/east-a/small", "east/east-b/small",
                                    "east/east-a/big", "west/west-a/gpu", "east/east-b/gpu"});
  CHECK(cs.front().provider == 1);
}

TEST_CASE("placement: shape excludes offerings that are too small") {
  two_providers w;
  auto cs = w.rank(provision_request::make("r", resources{}.cpus(4).memory_gib(20)));
  CHECK(names(cs)
        == std::vector<std::string>{"east/east-a/big", "west/west-a/gpu", "east/east-b/gpu"});
  CHECK(w.rank(provision_request::make("r", resources{}.cpus(64).memory_gib(1))).empty());
}

TEST_CASE("placement: round-robin starts at the cursor's provider, cheapest within it") {
  two_providers w;
  auto req = small_req();
  auto c0 = w.rank(req, placement_policy::round_robin, 0);
  REQUIRE(c0.size() == 6);
  CHECK(names(c0)
        == std::vector<std::string>{"east/east-a/small", "east/east-b/small", "east/east-a/big",
                                    "east/east-b/gpu", "west/west-a/small", "west/west-a/gpu"});
  auto c1 = w.rank(req, placement_policy::round_robin, 1);
  CHECK(c1.front().provider == 1);
  CHECK(c1.back().provider == 0);
  // The cursor wraps around.
  CHECK(names(w.rank(req, placement_policy::round_robin, 2)) == names(c0));
}

TEST_CASE("placement: least-loaded prefers the provider with fewer instances") {
  two_providers w;
  w.views[0].load = 0;
  w.views[1].load = 5;
  auto cs = w.rank(small_req(), placement_policy::least_loaded);
  CHECK(cs.front().provider == 0);
  CHECK(cs.front().offer.instance_type == "small");
  w.views[0].load = 6;
  cs = w.rank(small_req(), placement_policy::least_loaded);
  CHECK(cs.front().provider == 1);
  CHECK(cs.front().offer.zone == "west-a");
}

TEST_CASE("placement: provider, region, zone and instance type constraints") {
  two_providers w;
  CHECK(names(w.rank(small_req().provider("aws")))
        == std::vector<std::string>{"west/west-a/small", "west/west-a/gpu"});
  for (auto& c : w.rank(small_req().region("east")))
    CHECK(c.offer.provider.region == "east");
  CHECK(w.rank(small_req().region("east")).size() == 4);
  CHECK(names(w.rank(small_req().zone("east-b")))
        == std::vector<std::string>{"east/east-b/small", "east/east-b/gpu"});
  CHECK(names(w.rank(small_req().instance_type("big").instance_type("gpu")))
        == std::vector<std::string>{"east/east-a/big", "west/west-a/gpu", "east/east-b/gpu"});
  // Lists combine: zone east-a and type small only.
  CHECK(names(w.rank(small_req().zone("east-a").instance_type("small")))
        == std::vector<std::string>{"east/east-a/small"});
  CHECK(w.rank(small_req().provider("gcp")).empty());
}

TEST_CASE("placement: GPU count and kind") {
  two_providers w;
  auto any_gpu = w.rank(provision_request::make("r", resources{}.cpus(1).gpus(1)));
  CHECK(names(any_gpu) == std::vector<std::string>{"west/west-a/gpu", "east/east-b/gpu"});
  auto v100 = w.rank(provision_request::make("r", resources{}.cpus(1).gpus(1).gpu_kind("V100")));
  CHECK(names(v100) == std::vector<std::string>{"east/east-b/gpu"});
  CHECK(w.rank(provision_request::make("r", resources{}.gpus(2))).empty());
}

TEST_CASE("placement: spot ranks by spot price and skips offerings without a spot market") {
  two_providers w;
  auto cs = w.rank(small_req().spot());
  for (auto& c : cs)
    CHECK(c.offer.spot_price > 0);
  CHECK(names(cs)
        == std::vector<std::string>{"east/east-a/small", "west/west-a/small", "east/east-a/big",
                                    "west/west-a/gpu", "east/east-b/gpu"});
}

TEST_CASE("placement: max_price caps the market's price") {
  two_providers w;
  CHECK(names(w.rank(small_req().max_price(0.09)))
        == std::vector<std::string>{"west/west-a/small"});
  CHECK(names(w.rank(small_req().spot().max_price(0.04)))
        == std::vector<std::string>{"east/east-a/small"});
  CHECK(w.rank(small_req().max_price(0.01)).empty());
}

TEST_CASE("placement: a blocklisted offering is hidden until its TTL ends") {
  two_providers w;
  blocklist bl{std::chrono::minutes(3)};
  time_point t0{};
  offering_key key{{"aws", "west"}, "west-a", "small", market_kind::on_demand};
  bl.block(key, t0);
  auto req = small_req();
  auto cs = rank_candidates(req, w.views, placement_policy::cheapest, bl, t0 + seconds(1));
  CHECK(names(cs).front() == "east/east-a/small");
  CHECK(cs.size() == 5);
  // The key is per market: a spot request still sees west-a/small.
  auto spot = rank_candidates(small_req().spot(), w.views, placement_policy::cheapest, bl,
                              t0 + seconds(1));
  CHECK(names(spot)[1] == "west/west-a/small");
  CHECK(bl.blocked(key, t0 + std::chrono::minutes(3) - milliseconds(1)));
  CHECK_FALSE(bl.blocked(key, t0 + std::chrono::minutes(3)));
  auto later = rank_candidates(req, w.views, placement_policy::cheapest, bl,
                               t0 + std::chrono::minutes(3));
  CHECK(names(later).front() == "west/west-a/small");
}

TEST_CASE("placement: blocklist::expire forgets only expired entries") {
  blocklist bl{seconds(10)};
  time_point t0{};
  offering_key a{{"sim", "east"}, "east-a", "small", market_kind::on_demand};
  offering_key b{{"sim", "east"}, "east-b", "small", market_kind::on_demand};
  bl.block(a, t0);
  bl.block(b, t0 + seconds(5));
  CHECK(bl.expire(t0 + seconds(9)) == 2);
  CHECK(bl.expire(t0 + seconds(10)) == 1);
  CHECK_FALSE(bl.blocked(a, t0 + seconds(10)));
  CHECK(bl.blocked(b, t0 + seconds(10)));
  // Blocking again extends the entry.
  bl.block(b, t0 + seconds(12));
  CHECK(bl.blocked(b, t0 + seconds(20)));
  CHECK(bl.expire(t0 + seconds(22)) == 0);
}

TEST_CASE("placement: policy names parse and print") {
  for (auto p : {placement_policy::cheapest, placement_policy::round_robin,
                 placement_policy::least_loaded}) {
    placement_policy out = placement_policy::cheapest;
    REQUIRE(parse_placement_policy(to_string(p), out));
    CHECK(out == p);
  }
  placement_policy out = placement_policy::least_loaded;
  CHECK_FALSE(parse_placement_policy("random", out));
  CHECK(out == placement_policy::least_loaded);
}
