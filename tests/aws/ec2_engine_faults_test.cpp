// The aws cloud through the engine when EC2 pushes back: tests/fixtures/ec2_fault_proxy.py
// serves moto and answers chosen calls with EC2 errors. Throttling and plain 503s are retried
// with backoff until the request succeeds; a zone without capacity sends the instances to
// another zone. boto3 checks that every instance exists exactly once (moto's ClientToken is not
// idempotent, so a duplicate launch would show).

#include <catch2/catch.hpp>

#include "runtime/engine.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

const char* const region = "us-east-1";

} // namespace

TEST_CASE("aws engine: throttled and unavailable calls are retried with backoff") {
  fault_proxy proxy;
  use_aws_env(proxy.endpoint());
  proxy.set_rules(R"([
    {"action": "RunInstances", "code": "RequestLimitExceeded", "status": 503, "times": 2},
    {"action": "DescribeAvailabilityZones", "code": "", "status": 503, "times": 1},
    {"action": "TerminateInstances", "code": "InternalError", "status": 500, "times": 1}
  ])");
  auto eng = engine::start(aws_engine_config(region));
  auto handle = eng->submit(provision_request::make("retry", resources{}).count(20));
  auto done = handle.wait_for(seconds(120));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  CHECK(done->running == 20);
  CHECK(proxy.count("injected", "RunInstances") == 2);
  CHECK(proxy.count("injected", "DescribeAvailabilityZones") == 1);
  CHECK(proxy.count("calls", "RunInstances") == 3); // two throttled, one through

  auto stats = eng->stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].throttled == 2);
  CHECK(stats[0].retries >= 3); // two throttles and the 503 of the catalog
  CHECK(stats[0].instances_created == 20);

  auto view = inspect_ec2(proxy.endpoint(), region, "styx:request", handle.id().to_string());
  CHECK(view.instances.size() == 20); // launched once
  CHECK(view.reservations == 1);

  selector all = selector::everything();
  CHECK(eng->terminate(all) == 20);
  REQUIRE(eng->wait_for_state(all, instance_state::terminated, seconds(120)));
  CHECK(proxy.count("injected", "TerminateInstances") == 1);
  for (auto& inst :
       inspect_ec2(proxy.endpoint(), region, "styx:request", handle.id().to_string()).instances)
    CHECK(inst.state == "terminated");
}

TEST_CASE("aws engine: a zone without capacity fails over to another zone") {
  fault_proxy proxy;
  use_aws_env(proxy.endpoint());
  proxy.set_rules(R"([
    {"action": "RunInstances", "code": "InsufficientInstanceCapacity", "status": 500,
     "zone": "us-east-1a",
     "message": "We currently do not have sufficient m5.large capacity in us-east-1a."}
  ])");
  auto eng = engine::start(aws_engine_config(region));
  auto req = provision_request::make("failover", resources{}.cpus(2))
               .instance_type("m5.large")
               .zone("us-east-1a")
               .zone("us-east-1b")
               .count(10);
  auto handle = eng->submit(req);
  auto done = handle.wait_for(seconds(120));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  CHECK(done->running == 10);
  CHECK(proxy.count("injected", "RunInstances") >= 1); // us-east-1a was really tried
  for (auto& r : eng->list())
    CHECK(r.zone == "us-east-1b");
  auto view = inspect_ec2(proxy.endpoint(), region, "styx:request", handle.id().to_string());
  REQUIRE(view.instances.size() == 10);
  for (auto& inst : view.instances) {
    CHECK(inst.zone == "us-east-1b");
    CHECK(inst.type == "m5.large");
    CHECK(inst.state == "running");
  }
}
