#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "messages/provision_request.hpp"

using namespace styx;

namespace {

provision_request valid() {
  return provision_request::make("job", resources{}.cpus(4).memory_gib(16)).count(10);
}

std::string problem(const provision_request& req) {
  auto result = req.validate();
  return result ? *result : std::string{};
}

} // namespace

TEST_CASE("the seed example builds the request it reads as") {
  auto req = provision_request::make("job", resources{}.cpus(4).memory_gib(16))
               .region("us-west-2")
               .tag("env", "prod")
               .spot(true)
               .count(100);
  CHECK(req.name() == "job");
  CHECK(req.shape().cpus() == 4);
  CHECK(req.shape().memory_gib() == 16);
  CHECK(req.shape().gpus() == 0);
  CHECK(req.shape().gpu_kind().empty());
  CHECK(req.where().regions == std::vector<std::string>{"us-west-2"});
  CHECK(req.where().providers.empty());
  CHECK(req.where().zones.empty());
  CHECK(req.where().instance_types.empty());
  CHECK(req.tags() == tag_map{{"env", "prod"}});
  CHECK(req.pay().kind == market_kind::spot);
  CHECK(req.pay().max_price == 0);
  CHECK(req.count() == 100);
  CHECK(req.min_count() == 0);
  CHECK(req.required() == 100);
  CHECK(req.image().empty());
  CHECK(req.deadline() == 0);
  CHECK(req.id().empty());
  CHECK_FALSE(req.validate());
}

TEST_CASE("provision_request defaults") {
  auto req = provision_request::make("x", resources{});
  CHECK(req.count() == 1);
  CHECK(req.min_count() == 0);
  CHECK(req.required() == 1);
  CHECK(req.shape().cpus() == 1);
  CHECK(req.shape().memory_gib() == 1);
  CHECK(req.pay().kind == market_kind::on_demand);
  CHECK_FALSE(req.validate());
}

TEST_CASE("provision_request setters: lists append, tags overwrite, spot toggles") {
  request_id id;
  id.hi = 1;
  id.lo = 2;
  auto req = provision_request::make("a", resources{})
               .id(id)
               .name("b")
               .provider("sim")
               .provider("aws")
               .region("us-east-1")
               .region("eu-west-1")
               .zone("us-east-1a")
               .instance_type("m5.large")
               .instance_type("c5.large")
               .tag("k", "v1")
               .tag("k", "v2")
               .tag("team", "infra")
               .spot()
               .max_price(0.25)
               .image("ami-123")
               .deadline(1234567)
               .count(8)
               .min_count(5)
               .shape(resources{}.cpus(2).memory_gib(4).gpus(1).gpu_kind("a100"));
  CHECK(req.id() == id);
  CHECK(req.name() == "b");
  CHECK(req.where().providers == std::vector<std::string>{"sim", "aws"});
  CHECK(req.where().regions == std::vector<std::string>{"us-east-1", "eu-west-1"});
  CHECK(req.where().zones == std::vector<std::string>{"us-east-1a"});
  CHECK(req.where().instance_types == std::vector<std::string>{"m5.large", "c5.large"});
  CHECK(req.tags() == tag_map{{"k", "v2"}, {"team", "infra"}});
  CHECK(req.pay().kind == market_kind::spot);
  CHECK(req.pay().max_price == 0.25);
  CHECK(req.image() == "ami-123");
  CHECK(req.deadline() == 1234567);
  CHECK(req.count() == 8);
  CHECK(req.min_count() == 5);
  CHECK(req.required() == 5);
  CHECK(req.shape().gpus() == 1);
  CHECK(req.shape().gpu_kind() == "a100");
  req.spot(false);
  CHECK(req.pay().kind == market_kind::on_demand);
  CHECK_FALSE(req.validate());
}

TEST_CASE("validate accepts the edges of valid") {
  CHECK_FALSE(valid().count(1).validate());
  CHECK_FALSE(valid().count(10).min_count(10).validate());
  CHECK_FALSE(valid().count(10).min_count(0).validate());
  CHECK_FALSE(valid().max_price(0).validate());
  CHECK_FALSE(valid().shape(resources{}.cpus(0.25).memory_gib(0.5)).validate());
  CHECK_FALSE(valid().tag("styx", "not reserved without the colon").validate());
  CHECK_FALSE(valid().tag("x-styx:y", "reserved only as a prefix").validate());
}

TEST_CASE("validate says what is wrong") {
  CHECK(problem(valid().name("")) == "name must not be empty");
  CHECK(problem(valid().count(0)) == "count must be positive, got 0");
  CHECK(problem(valid().count(-3)) == "count must be positive, got -3");
  CHECK(problem(valid().min_count(-1)) == "min-count must not be negative, got -1");
  CHECK(problem(valid().count(5).min_count(6)) == "min-count (6) exceeds count (5)");
  CHECK(problem(valid().shape(resources{}.cpus(0))) == "cpus must be positive");
  CHECK(problem(valid().shape(resources{}.cpus(-2))) == "cpus must be positive");
  CHECK(problem(valid().shape(resources{}.memory_gib(0))) == "memory must be positive");
  CHECK(problem(valid().shape(resources{}.memory_gib(-1))) == "memory must be positive");
  CHECK(problem(valid().shape(resources{}.gpus(-1))) == "gpus must not be negative");
  CHECK(problem(valid().max_price(-0.01)) == "max price must not be negative");
  CHECK(problem(valid().tag("styx:engine", "mine"))
        == "tag key 'styx:engine' is empty or reserved (styx:*)");
  CHECK(problem(valid().tag("styx:", "x")) == "tag key 'styx:' is empty or reserved (styx:*)");
  CHECK(problem(valid().tag("", "x")) == "tag key '' is empty or reserved (styx:*)");
}

TEST_CASE("validate refuses numbers that are not numbers") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(problem(valid().shape(resources{}.cpus(nan))) == "cpus must be positive");
  CHECK(problem(valid().shape(resources{}.cpus(inf))) == "cpus must be positive");
  CHECK(problem(valid().shape(resources{}.memory_gib(nan))) == "memory must be positive");
  CHECK(problem(valid().shape(resources{}.memory_gib(inf))) == "memory must be positive");
  CHECK(problem(valid().max_price(nan)) == "max price must not be negative");
  CHECK(problem(valid().max_price(inf)) == "max price must not be negative");
}
