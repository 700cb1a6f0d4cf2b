// A node that holds a region's AWS credentials: `styx node --cloud aws` runs as a child process
// with the credentials in its own environment and talks to moto; the engine here has none and
// drives the node's provider over CAF networking. boto3 checks what EC2 really holds.
// Then the same through the CLI, every command its own process: a down while the node is
// away, or while the engine's own aws region has no credentials, ends nothing it cannot
// reach, says so and exits 1; a later down finishes the job.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "runtime/engine.hpp"
#include "runtime/store.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/crash_cli.hpp"
#include "tests/nodes/node_process.hpp"

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
    CHECK(r.provider.name() == "aws/us-east-1");
    CHECK_FALSE(r.provider.is_local()); // the node's: its id names the node
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

namespace {

/// A scratch state dir, removed at the end.
struct scratch_dir {
  std::string path;
  explicit scratch_dir(const std::string& name)
    : path((std::filesystem::temp_directory_path()
            / ("styx-" + name + "-" + std::to_string(::getpid())))
             .string()) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~scratch_dir() { std::filesystem::remove_all(path); }
};

/// How many of `view`'s instances are in `state`.
size_t in_state(const ec2_view& view, const std::string& state) {
  size_t n = 0;
  for (auto& i : view.instances)
    n += i.state == state ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("aws node via the CLI: a down while the node is away ends nothing and exits 1 and a "
          "later down ends all") {
  moto_fixture moto;
  use_aws_env(moto.endpoint()); // the node's; the CLI's processes get none
  scratch_dir tmp{"node-aws-cli"};
  auto engine_dir = tmp.path + "/engine";
  auto node_dir = tmp.path + "/node"; // the node's id outlives a restart
  auto node_args = [&](uint16_t port) {
    return std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port),
                                    "--insecure", "--cloud", "aws", "--region", "us-east-1",
                                    "--state-dir", node_dir};
  };
  auto node = std::make_unique<node_process>(node_args(0));
  auto port = node->port();
  for (auto* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
    ::unsetenv(var);
  auto nodes = tmp.path + "/nodes.yaml";
  std::ofstream{nodes} << "nodes: [127.0.0.1:" << port << "]\ninsecure: true\n";
  auto up = run_styx_captured(engine_dir,
                              {"up", "--nodes", nodes, "--count", "20", "--tag",
                               "suite=node-aws-cli"},
                              tmp.path);
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  auto ec2 = [&] { return inspect_ec2(moto.endpoint(), "us-east-1", "suite", "node-aws-cli"); };
  REQUIRE(in_state(ec2(), "running") == 20);

  node->terminate(); // the node is away; EC2 keeps its instances
  auto down = run_styx_captured(engine_dir, {"down", "--all"}, tmp.path);
  INFO(down.out << down.err);
  CHECK(down.rc == 1);
  CHECK(down.err.find("styx: 20 instance(s) on node 127.0.0.1:" + std::to_string(port)
                      + " not reached; nothing changed for them")
        != std::string::npos);
  CHECK(in_state(ec2(), "running") == 20);
  for (auto& r : store::open(engine_dir + "/styx.db")->instances())
    CHECK(r.state == instance_state::running);

  use_aws_env(moto.endpoint()); // for the node only
  node = std::make_unique<node_process>(node_args(port)); // back: same port, same state dir
  for (auto* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
    ::unsetenv(var);
  auto again = run_styx_captured(engine_dir, {"down", "--all"}, tmp.path);
  INFO(again.out << again.err);
  CHECK(again.rc == 0);
  CHECK(in_state(ec2(), "terminated") == 20);
}

TEST_CASE("aws via the CLI: a down without credentials ends nothing on aws and exits 1 and a "
          "later down with them ends all") {
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  scratch_dir tmp{"aws-cli-nocreds"};
  auto up = run_styx_captured(tmp.path,
                              {"up", "--provider", "aws", "--region", "us-east-1", "--count",
                               "5", "--tag", "suite=aws-cli-nocreds"},
                              tmp.path);
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  auto ec2 = [&] {
    return inspect_ec2(moto.endpoint(), "us-east-1", "suite", "aws-cli-nocreds");
  };
  REQUIRE(in_state(ec2(), "running") == 5);
  for (auto* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
    ::unsetenv(var);
  auto down = run_styx_captured(tmp.path, {"down", "--all"}, tmp.path);
  INFO(down.out << down.err);
  CHECK(down.rc == 1);
  CHECK(down.err.find("styx: 5 instance(s) on aws/us-east-1 not reached (") != std::string::npos);
  CHECK(down.err.find("; nothing changed for them") != std::string::npos);
  CHECK(in_state(ec2(), "running") == 5);
  for (auto& r : store::open(tmp.path + "/styx.db")->instances())
    CHECK(r.state == instance_state::running);
  use_aws_env(moto.endpoint());
  auto again = run_styx_captured(tmp.path, {"down", "--all"}, tmp.path);
  INFO(again.out << again.err);
  CHECK(again.rc == 0);
  CHECK(in_state(ec2(), "terminated") == 5);
}
