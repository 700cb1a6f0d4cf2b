// A node that holds a region's AWS credentials: `styx node --cloud aws` runs as a child process
// with the credentials in its own environment and talks to moto; the engine here has none and
// drives the node's provider over CAF networking. boto3 checks what EC2 really holds.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>

#include "runtime/engine.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/e2e/node_process.hpp"

using namespace styx;
using namespace styx::test;

TEST_CASE("aws node: an engine without credentials provisions through a node that has them") {
  moto_fixture moto;
  use_aws_env(moto.endpoint()); // inherited by the node's process
  node_process node{{"--listen", "127.0.0.1:0", "--insecure", "--cloud", "aws", "--region",
                     "us-east-1"}};
  // The engine's own process forgets them: only the node may hold credentials.
  for (auto* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
    ::unsetenv(var);
  engine_config cfg;
  cfg.providers.clear();
  cfg.node_net.insecure = true;
  cfg.threads = 2;
  cfg.nodes = {remote_node{"127.0.0.1", node.port()}};
  auto eng = engine::start(cfg);
  auto stats = eng->stats();
  REQUIRE(stats.size() == 1);
  auto done = eng->submit(provision_request::make("via-node", resources{}.cpus(2).memory_gib(4))
                            .provider("aws")
                            .count(50)
                            .tag("suite", "node-aws"))
                .wait_for(seconds(120));
  REQUIRE(done);
  CHECK(done->ok);
  CHECK(done->running == 50);
  std::set<std::string> ids;
  for (auto& r : eng->list()) {
    CHECK(r.provider.to_string() == "aws/us-east-1");
    ids.insert(r.cloud_id);
  }
  auto view = inspect_ec2(moto.endpoint(), "us-east-1", "suite", "node-aws");
  REQUIRE(view.instances.size() == 50);
  for (auto& inst : view.instances) {
    CHECK(inst.state == "running");
    CHECK(ids.count(inst.id) == 1);
  }
  eng->terminate(selector::everything());
  CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(120)));
  for (auto& inst : inspect_ec2(moto.endpoint(), "us-east-1", "suite", "node-aws").instances)
    CHECK(inst.state == "terminated");
}
