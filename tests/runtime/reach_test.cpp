// Reaching what a state dir used: the nodes it remembers (runtime/node_memory.hpp), and which
// records a command could not reach and says so (runtime/reach.hpp).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "runtime/engine.hpp"
#include "runtime/node_memory.hpp"
#include "runtime/reach.hpp"

using namespace styx;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path = fs::temp_directory_path() / ("styx-reach-" + std::to_string(::getpid()));
  temp_dir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};

instance_record on(const provider_id& p, uint64_t n, instance_state st = instance_state::running) {
  instance_record r;
  r.id.hi = 3;
  r.id.lo = n;
  r.provider = p;
  r.cloud_id = "sim-" + std::to_string(n);
  r.state = st;
  return r;
}

} // namespace

TEST_CASE("node memory: nodes accumulate, the transport is the last used, ids map to addresses") {
  temp_dir dir;
  auto state = dir.path.string();
  CHECK(load_node_memory(state).empty()); // no file yet
  node_transport plain;
  plain.insecure = true;
  remember_nodes(state, {remote_node{"127.0.0.1", 7400}}, plain, {});
  remember_nodes(state, {remote_node{"127.0.0.1", 7401}, remote_node{"127.0.0.1", 7400}}, plain,
                 {{"node-a", "127.0.0.1:7400"}});
  auto m = load_node_memory(state);
  REQUIRE(m.nodes.size() == 2);
  CHECK(m.nodes[0].to_string() == "127.0.0.1:7400");
  CHECK(m.nodes[1].to_string() == "127.0.0.1:7401");
  CHECK(m.transport.insecure);
  CHECK(m.addresses.at("node-a") == "127.0.0.1:7400");
  // A node that answers elsewhere now; TLS paths are kept absolute.
  node_transport tls;
  tls.tls = node_tls{"ca.pem", "/etc/styx/engine.pem", "engine.key"};
  remember_nodes(state, {}, tls, {{"node-a", "127.0.0.1:7409"}});
  m = load_node_memory(state);
  CHECK(m.transport.insecure); // no nodes given: the transport stays
  CHECK(m.addresses.at("node-a") == "127.0.0.1:7409");
  remember_nodes(state, {remote_node{"10.0.0.5", 7400}}, tls, {});
  m = load_node_memory(state);
  CHECK_FALSE(m.transport.insecure);
  CHECK(fs::path(m.transport.tls.cafile).is_absolute());
  CHECK(m.transport.tls.certificate == "/etc/styx/engine.pem");
  CHECK(m.nodes.size() == 3);
  std::ofstream{state + "/nodes"} << "nodes: 7\n";
  CHECK_THROWS_AS(load_node_memory(state), engine_error);
}

TEST_CASE("unreached: live records on providers not registered, one line per node or provider") {
  provider_id local{"sim", "us-east-1"};
  provider_id aws{"aws", "us-east-1"};
  provider_id node_a{"sim", "us-east-1", "node-a"};
  provider_id node_a2{"sim", "us-west-2", "node-a"};
  provider_id node_b{"sim", "us-east-1", "node-b"};
  provider_id node_c{"sim", "us-east-1", "node-c"};
  provider_id node_d{"sim", "us-east-1", "node-d"};
  std::vector<instance_record> recs{
    on(local, 1),        on(node_a, 2),     on(node_a2, 3), on(node_b, 4),
    on(aws, 5),          on(node_c, 6),     on(node_d, 7),
    on(node_a, 8, instance_state::terminated), // final: nothing to reach
  };
  auto no_cloud_id = on(node_b, 9);
  no_cloud_id.cloud_id.clear(); // never reached a cloud
  recs.push_back(no_cloud_id);
  // Registered: this engine's own sim and node B. Node C answers where D used to.
  std::vector<provider_id> registered{local, node_b, provider_id{"sim", "eu-west-1", "node-c"}};
  std::vector<unavailable_provider> unavailable{{aws, "no credentials (AWS_ACCESS_KEY_ID)"}};
  std::map<std::string, std::string> addresses{{"node-a", "127.0.0.1:7400"},
                                               {"node-c", "127.0.0.1:7402"},
                                               {"node-d", "127.0.0.1:7402"}};
  auto missed = find_unreached(recs, registered, unavailable, addresses);
  REQUIRE(missed.size() == 4);
  CHECK(missed[0].to_line() == "2 instance(s) on node 127.0.0.1:7400 not reached; nothing "
                               "changed for them");
  CHECK(missed[0].reason == unreached_reason::node_not_connected);
  CHECK(missed[1].to_line() == "1 instance(s) on aws/us-east-1 not reached (no credentials "
                               "(AWS_ACCESS_KEY_ID)); nothing changed for them");
  CHECK(missed[2].where == "node 127.0.0.1:7402"); // node C answers, without us-east-1
  CHECK(missed[2].reason == unreached_reason::provider_not_served);
  CHECK(missed[2].to_line().find("no longer serves sim/us-east-1") != std::string::npos);
  CHECK(missed[3].where == "node 127.0.0.1:7402"); // node D's address, where C answers now
  CHECK(missed[3].reason == unreached_reason::node_replaced);
  // Unknown address: the node is named by its id.
  auto unknown = find_unreached({on(node_a, 1)}, {}, {}, {});
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].where == "node node-a");
  CHECK(find_unreached({on(local, 1)}, {local}, {}, {}).empty());
}
