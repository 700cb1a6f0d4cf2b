// Distributed nodes on loopback: an engine in this process and two `styx node` child processes,
// each with its own simulated cloud in its own region. Instances are provisioned across both.
// Also: the transport rules (plaintext only on loopback) and the nodes file. A node that dies
// or freezes mid fan-out, and returns: node_return_test.cpp.

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "runtime/engine.hpp"
#include "runtime/node_client.hpp"
#include "tests/nodes/node_process.hpp"

using namespace styx;
using styx::test::node_process;

namespace {

std::vector<std::string> node_args(const std::string& region) {
  // EC2's client-side buckets, refilled 1000x faster: 10,000 instances take seconds, not the
  // ~40 minutes EC2's 2 instances/s launch refill would take after its 1000-instance burst.
  return {"--listen", "127.0.0.1:0", "--insecure", "--region", region, "--sim-profile", "fast",
          "--rate-scale", "1000"};
}

engine_config engine_for(const std::vector<uint16_t>& ports) {
  engine_config cfg;
  cfg.seed = 77;
  cfg.providers.clear(); // only the nodes' providers
  cfg.policy = placement_policy::least_loaded; // spreads per instance
  cfg.pending_timeout = seconds(5);
  cfg.node_net.insecure = true;
  cfg.threads = 2;
  for (auto p : ports)
    cfg.nodes.push_back(remote_node{"127.0.0.1", p});
  return cfg;
}

} // namespace

TEST_CASE("node transport rules: plaintext only on loopback", "[node]") {
  node_transport plain;
  plain.insecure = true;
  CHECK(check_transport("127.0.0.1", plain).empty());
  CHECK(check_transport("localhost", plain).empty());
  CHECK(check_transport("::1", plain).empty());
  CHECK_FALSE(check_transport("10.1.2.3", plain).empty());
  CHECK_FALSE(check_transport("node7.example", plain).empty());
  node_transport none; // neither TLS files nor --insecure
  CHECK_FALSE(check_transport("127.0.0.1", none).empty());
}

TEST_CASE("node host:port parsing", "[node]") {
  CHECK(parse_host_port("127.0.0.1:7400") == std::make_pair(std::string{"127.0.0.1"},
                                                            uint16_t{7400}));
  CHECK(parse_host_port("[::1]:9").first == "::1");
  CHECK_THROWS(parse_host_port("127.0.0.1"));
  CHECK_THROWS(parse_host_port("127.0.0.1:x"));
  CHECK_THROWS(parse_host_port("127.0.0.1:70000"));
}

TEST_CASE("nodes file: a list or a map with tls settings", "[node]") {
  auto dir = std::filesystem::temp_directory_path() / ("styx-node-file-" +
                                                       std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto list = (dir / "list.yaml").string();
  std::ofstream{list} << "- 127.0.0.1:7401\n- localhost:7402\n";
  std::vector<remote_node> nodes;
  node_transport t;
  load_nodes_file(list, nodes, t);
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[1].host == "localhost");
  CHECK(nodes[1].port == 7402);
  auto map = (dir / "map.yaml").string();
  std::ofstream{map} << "nodes: [127.0.0.1:7403]\ntls:\n  cafile: ca.pem\n"
                        "  certificate: c.pem\n  key: k.pem\n";
  nodes.clear();
  load_nodes_file(map, nodes, t);
  REQUIRE(nodes.size() == 1);
  CHECK(t.tls.cafile == "ca.pem");
  CHECK(t.tls.key == "k.pem");
  CHECK_FALSE(t.insecure);
  auto bad = (dir / "bad.yaml").string();
  std::ofstream{bad} << "nodes: 7\n";
  CHECK_THROWS(load_nodes_file(bad, nodes, t));
  std::filesystem::remove_all(dir);
}

TEST_CASE("styx node refuses plaintext on a non-loopback address", "[node]") {
  // Exits with 2 before binding anything.
  CHECK_THROWS(node_process({"--listen", "0.0.0.0:0", "--insecure", "--region", "r1"}));
  CHECK_THROWS(node_process({"--listen", "127.0.0.1:0", "--region", "r1"})); // no TLS, no flag
}

TEST_CASE("an engine provisions 10,000 instances across two nodes", "[node][e2e]") {
  node_process a{node_args("us-east-1")};
  node_process b{node_args("us-west-2")};
  auto eng = engine::start(engine_for({a.port(), b.port()}));
  auto stats = eng->stats();
  REQUIRE(stats.size() == 2);
  auto h = eng->submit(provision_request::make("dist", resources{}.cpus(1)).count(10000));
  auto done = h.wait_for(seconds(120));
  REQUIRE(done);
  CHECK(done->ok);
  CHECK(done->running == 10000);
  std::map<std::string, int> per_region;
  std::set<std::string> cloud_ids;
  for (auto& r : eng->list()) {
    CHECK(r.state == instance_state::running);
    per_region[r.provider.region]++;
    CHECK(cloud_ids.insert(r.provider.region + "/" + r.cloud_id).second);
  }
  CHECK(cloud_ids.size() == 10000);
  CHECK(per_region["us-east-1"] > 0);
  CHECK(per_region["us-west-2"] > 0);
  eng->terminate(selector::everything());
  CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}

TEST_CASE("node reconnect backoff waits 100 ms doubling to 5 s without jitter", "[node]") {
  std::mt19937_64 rng{1};
  backoff b{node_reconnect_backoff, rng};
  CHECK(node_reconnect_backoff.jitter == jitter_mode::none);
  CHECK(b.delay(1) == milliseconds(100));
  CHECK(b.delay(2) == milliseconds(200));
  CHECK(b.delay(6) == milliseconds(3200));
  CHECK(b.delay(7) == seconds(5));
  CHECK(b.delay(10000) == seconds(5));
  CHECK(b.may_retry(1000000)); // a connector never gives up while the supervisor lives
}
