#include <catch2/catch.hpp>

#include "providers/aws/ec2_prices.hpp"

using namespace styx;

namespace {

const provider_id aws{"aws", "us-east-1"};
const std::vector<std::string> zones{"us-east-1a", "us-east-1b"};

} // namespace

TEST_CASE("the price table covers the families with their shapes") {
  auto& table = ec2_price_table();
  CHECK(table.size() == 39);
  for (auto& e : table) {
    INFO(e.instance_type);
    CHECK(e.vcpus > 0);
    CHECK(e.memory_gib > 0);
    CHECK(e.on_demand > 0);
    CHECK(ec2_price_of(e.instance_type) == &e);
  }
  auto p3 = ec2_price_of("p3.16xlarge");
  REQUIRE(p3);
  CHECK(p3->gpus == 8);
  CHECK(std::string{p3->gpu_kind} == "V100");
  CHECK(ec2_price_of("g5.48xlarge")->gpus == 8);
  CHECK(ec2_price_of("t3.micro")->on_demand == Approx(0.0104));
  CHECK(ec2_price_of("x1.32xlarge") == nullptr);
  CHECK(ec2_price_of("") == nullptr);
}

TEST_CASE("ec2_catalog: one offering per type and zone, spot where priced") {
  ec2_spot_prices spot{{{"m5.large", "us-east-1b"}, 0.031}};
  auto offerings = ec2_catalog(aws, zones, spot);
  CHECK(offerings.size() == ec2_price_table().size() * 2);
  int with_spot = 0;
  for (auto& o : offerings) {
    CHECK(o.provider == aws);
    if (o.spot_price > 0) {
      ++with_spot;
      CHECK(o.instance_type == "m5.large");
      CHECK(o.zone == "us-east-1b");
      CHECK(o.spot_price == Approx(0.031));
    }
  }
  CHECK(with_spot == 1);
}

TEST_CASE("ec2_catalog from described types skips types without a price") {
  std::vector<ec2_instance_type_info> described = {
    {"p3.8xlarge", 32, 244, 4, "V100"},
    {"x2iezn.2xlarge", 8, 256, 0, ""},
    {"c5.large", 2, 4, 0, ""},
  };
  auto offerings = ec2_catalog(aws, {"us-east-1a"}, {}, described);
  REQUIRE(offerings.size() == 2);
  CHECK(offerings[0].instance_type == "p3.8xlarge");
  CHECK(offerings[0].on_demand_price == Approx(12.24));
  CHECK(offerings[0].gpus == 4);
  CHECK(offerings[1].instance_type == "c5.large");
}

TEST_CASE("cheapest_fit picks the cheapest type that fits") {
  auto offerings = ec2_catalog(aws, zones, {});
  placement any;
  auto small = cheapest_fit(offerings, resources{}.cpus(1).memory_gib(1), market_kind::on_demand, any);
  REQUIRE(small);
  CHECK(small->instance_type == "t3.micro");
  CHECK(small->zone == "us-east-1a"); // tie between zones: by name

  auto mid = cheapest_fit(offerings, resources{}.cpus(4).memory_gib(8), market_kind::on_demand, any);
  REQUIRE(mid);
  CHECK(mid->instance_type == "t3.xlarge"); // 0.1664 beats c5.xlarge at 0.17
}

TEST_CASE("cheapest_fit honours memory, GPUs and GPU kinds") {
  auto offerings = ec2_catalog(aws, zones, {});
  placement any;
  auto mem = cheapest_fit(offerings, resources{}.cpus(2).memory_gib(100), market_kind::on_demand, any);
  REQUIRE(mem);
  CHECK(mem->instance_type == "r5.4xlarge");

  auto gpu = cheapest_fit(offerings, resources{}.cpus(4).gpus(1), market_kind::on_demand, any);
  REQUIRE(gpu);
  CHECK(gpu->instance_type == "g5.xlarge");

  auto v100 = cheapest_fit(offerings, resources{}.cpus(4).gpus(1).gpu_kind("V100"),
                           market_kind::on_demand, any);
  REQUIRE(v100);
  CHECK(v100->instance_type == "p3.2xlarge");

  auto four = cheapest_fit(offerings, resources{}.cpus(8).gpus(4).gpu_kind("A10G"),
                           market_kind::on_demand, any);
  REQUIRE(four);
  CHECK(four->instance_type == "g5.12xlarge");

  CHECK(cheapest_fit(offerings, resources{}.gpus(16), market_kind::on_demand, any) == nullptr);
  CHECK(cheapest_fit(offerings, resources{}.gpus(1).gpu_kind("H100"), market_kind::on_demand,
                     any)
        == nullptr);
}

TEST_CASE("cheapest_fit for spot needs a spot price") {
  ec2_spot_prices spot{
    {{"m5.large", "us-east-1a"}, 0.040},
    {{"m5.large", "us-east-1b"}, 0.035},
    {{"c5.large", "us-east-1a"}, 0.050},
  };
  auto offerings = ec2_catalog(aws, zones, spot);
  placement any;
  auto pick = cheapest_fit(offerings, resources{}.cpus(2).memory_gib(2), market_kind::spot, any);
  REQUIRE(pick);
  CHECK(pick->instance_type == "m5.large");
  CHECK(pick->zone == "us-east-1b");
  // On demand, every type has a price: the burstable t3.small is cheapest.
  auto od = cheapest_fit(offerings, resources{}.cpus(2).memory_gib(2), market_kind::on_demand, any);
  REQUIRE(od);
  CHECK(od->instance_type == "t3.small");
  // Nothing with a spot price fits 64 GiB.
  CHECK(cheapest_fit(offerings, resources{}.memory_gib(64), market_kind::spot, any) == nullptr);
}

TEST_CASE("cheapest_fit respects placement and skips unpriced offerings") {
  auto offerings = ec2_catalog(aws, zones, {});
  placement where;
  where.zones = {"us-east-1b"};
  where.instance_types = {"m5.large", "c5.large", "m5.xlarge"};
  auto pick = cheapest_fit(offerings, resources{}.cpus(2).memory_gib(4), market_kind::on_demand, where);
  REQUIRE(pick);
  CHECK(pick->instance_type == "c5.large");
  CHECK(pick->zone == "us-east-1b");

  placement other_cloud;
  other_cloud.providers = {"gcp"};
  CHECK(cheapest_fit(offerings, resources{}, market_kind::on_demand, other_cloud) == nullptr);
  placement other_region;
  other_region.regions = {"eu-west-1"};
  CHECK(cheapest_fit(offerings, resources{}, market_kind::on_demand, other_region) == nullptr);
  placement this_region;
  this_region.providers = {"aws"};
  this_region.regions = {"us-east-1"};
  CHECK(cheapest_fit(offerings, resources{}, market_kind::on_demand, this_region) != nullptr);

  // An offering of a type without a known price is never picked.
  catalog unpriced = {offerings.front()};
  unpriced[0].instance_type = "x9.mystery";
  unpriced[0].on_demand_price = 0;
  unpriced[0].spot_price = 0.01;
  CHECK(cheapest_fit(unpriced, resources{}, market_kind::on_demand, {}) == nullptr);
  CHECK(cheapest_fit(unpriced, resources{}, market_kind::spot, {}) == nullptr);
}
