// Nodes across processes, as a user runs them: `styx node` child processes, and every styx
// command (up --nodes, then status, reconcile, down) a process of its own on one state dir.
// What is checked is what the nodes' clouds hold, read from the simulated cloud each node
// saved in its state dir (after a SIGTERM at the end), not only the engine's store:
//   - up --nodes, then down --all in a later process, leaves nothing alive on the nodes (two
//     nodes serving the same cloud and region, next to the engine's own simulated cloud of
//     that region and seed: three providers, none taken for another);
//   - the same with one node killed mid fan-out and restarted before the down;
//   - a down while a node is unreachable exits 1, names the node and changes none of its
//     records; a later down, after the node is back, finishes the job.
// Every command runs under a time limit: a test fails, it never hangs.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "runtime/store.hpp"
#include "tests/crash_cli.hpp"
#include "tests/nodes/node_process.hpp"

using namespace styx;
using styx::test::node_process;
using styx::test::saved_live_instances;

namespace {

namespace fs = std::filesystem;

/// A scratch directory for one test, removed at its end.
struct scratch {
  fs::path root;
  explicit scratch(const std::string& name)
    : root(fs::temp_directory_path() / ("styx-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~scratch() { fs::remove_all(root); }
  std::string at(const std::string& rel) const { return (root / rel).string(); }
};

/// A node of the simulated cloud in us-east-1; `state_dir` need not exist.
std::vector<std::string> node_args(uint16_t port, const std::string& state_dir) {
  return {"--listen", "127.0.0.1:" + std::to_string(port), "--insecure", "--region",
          "us-east-1", "--sim-profile", "fast", "--rate-scale", "1000", "--state-dir",
          state_dir};
}

std::string write_nodes_file(const scratch& tmp, const std::vector<uint16_t>& ports) {
  auto path = tmp.at("nodes.yaml");
  std::ofstream out{path};
  out << "nodes: [";
  for (size_t i = 0; i < ports.size(); ++i)
    out << (i ? ", " : "") << "127.0.0.1:" << ports[i];
  out << "]\ninsecure: true\n";
  return path;
}

/// One styx command in its own process, on state dir `dir`.
styx::test::cli_result styx_cmd(const scratch& tmp, const std::string& dir,
                                std::vector<std::string> args) {
  return styx::test::run_styx_captured(dir, args, tmp.root.string());
}

std::vector<instance_record> stored(const std::string& dir) {
  return store::open(dir + "/styx.db")->instances();
}

std::string node_id_of(const std::string& node_dir) {
  std::ifstream in{node_dir + "/node-id"};
  std::string id;
  in >> id;
  return id;
}

/// Waits (at most `limit`) until the cloud saved in `node_dir` holds `n` live instances.
bool wait_for_live(const std::string& node_dir, size_t n, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (saved_live_instances(node_dir).size() >= n)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// The running records are each alive on their own node's cloud, and `count` of them.
void check_running_on_their_clouds(const std::string& engine_dir,
                                   const std::map<std::string, std::string>& node_dirs,
                                   size_t count) {
  std::map<std::string, std::map<std::string, cloud_instance>> clouds;
  for (auto& [id, dir] : node_dirs)
    clouds[id] = saved_live_instances(dir);
  size_t running = 0;
  for (auto& r : stored(engine_dir)) {
    if (r.state != instance_state::running || r.provider.is_local())
      continue;
    ++running;
    INFO("record " << r.name << " on " << r.provider.to_string() << " " << r.cloud_id);
    REQUIRE(clouds.count(r.provider.node) == 1);
    CHECK(clouds[r.provider.node].count(r.cloud_id) == 1);
  }
  CHECK(running == count);
}

/// Two nodes of sim/us-east-1 with their state dirs at `a` and `b` under a scratch dir (made
/// by the nodes), a nodes file naming both, and an engine state dir.
struct two_nodes {
  scratch tmp;
  std::string engine_dir = tmp.at("engine");
  std::string a_dir;
  std::string b_dir;
  node_process a;
  std::unique_ptr<node_process> b;
  uint16_t b_port;
  std::string nodes;

  two_nodes(const std::string& name, const std::string& a_rel, const std::string& b_rel)
    : tmp(name),
      a_dir(tmp.at(a_rel)),
      b_dir(tmp.at(b_rel)),
      a(node_args(0, a_dir)),
      b(std::make_unique<node_process>(node_args(0, b_dir))),
      b_port(b->port()),
      nodes(write_nodes_file(tmp, {a.port(), b_port})) {}

  /// B again, on its port and state dir.
  void restart_b() { b = std::make_unique<node_process>(node_args(b_port, b_dir)); }

  styx::test::cli_result styx(std::vector<std::string> args) const {
    return styx_cmd(tmp, engine_dir, std::move(args));
  }
};

} // namespace

TEST_CASE("nodes: up --nodes then down --all in a later process leaves nothing alive on the "
          "nodes",
          "[node][e2e]") {
  // Their state dirs do not exist yet: `styx node` makes them, as an engine does.
  two_nodes n{"node-cli-down", "a/deeper/state", "b/deeper/state"};
  // The engine's own simulated cloud: the same cloud, region and seed as the nodes' (so the
  // same cloud ids), and another cloud all the same.
  auto local = n.styx({"up", "--count", "10", "--name", "local"});
  REQUIRE(local.rc == 0);
  auto up = n.styx({"up", "--nodes", n.nodes, "--count", "200", "--policy", "least-loaded",
                    "--name", "remote"});
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  auto a_id = node_id_of(n.a_dir);
  auto b_id = node_id_of(n.b_dir);
  REQUIRE_FALSE(a_id.empty());
  CHECK(a_id != b_id); // two providers named sim/us-east-1, two identities
  auto on_a = saved_live_instances(n.a_dir).size();
  auto on_b = saved_live_instances(n.b_dir).size();
  CHECK(on_a > 0);
  CHECK(on_b > 0);
  CHECK(on_a + on_b == 200);
  CHECK(saved_live_instances(n.engine_dir).size() == 10);
  check_running_on_their_clouds(n.engine_dir, {{a_id, n.a_dir}, {b_id, n.b_dir}}, 200);

  // A later process knows the nodes from the state dir.
  auto status = n.styx({"status", "--refresh", "--json"});
  CHECK(status.rc == 0);
  CHECK(status.out.find("\"count\":210") != std::string::npos);
  auto down = n.styx({"down", "--all"});
  INFO(down.out << down.err);
  CHECK(down.rc == 0);
  CHECK(down.out.find("210 instance(s) asked") != std::string::npos);
  n.a.terminate();
  n.b->terminate();
  CHECK(saved_live_instances(n.a_dir).empty());
  CHECK(saved_live_instances(n.b_dir).empty());
  CHECK(saved_live_instances(n.engine_dir).empty());
  for (auto& r : stored(n.engine_dir))
    CHECK(r.state == instance_state::terminated);
}

TEST_CASE("nodes: a node killed mid fan-out and restarted before the down leaves nothing alive",
          "[node][e2e]") {
  two_nodes n{"node-cli-kill", "a", "b"};
  const int count = 4000;
  auto pid = styx::test::spawn_styx(n.engine_dir,
                                    {"up", "--nodes", n.nodes, "--count", std::to_string(count),
                                     "--policy", "least-loaded", "--name", "kill"},
                                    n.tmp.at("up.out"), n.tmp.at("up.err"));
  bool mid = wait_for_live(n.b_dir, 400, std::chrono::seconds(90));
  n.b->kill9(); // its cloud outlives it, as a real one would
  CHECK(mid);
  int up_rc = styx::test::wait_exit_for(pid, std::chrono::seconds(240));
  INFO(styx::test::read_text(n.tmp.at("up.out")) << styx::test::read_text(n.tmp.at("up.err")));
  CHECK(up_rc == 0); // B's in-flight instances were re-placed on A
  size_t lost = 0;
  for (auto& r : stored(n.engine_dir))
    lost += r.state == instance_state::failed ? 1 : 0;
  // B comes back after the up is over (same port, same state dir): what it created while its
  // records failed over is alive there, and only a later process can end it.
  n.restart_b();
  auto on_b = saved_live_instances(n.b_dir).size();
  WARN("B killed mid fan-out: " << lost << " of its instances failed over to A; " << on_b
                                << " alive on B when it is back");
  CHECK(lost > 0);
  CHECK(on_b > 0);
  // Nothing lost: every running record has its instance alive on its node.
  check_running_on_their_clouds(
    n.engine_dir, {{node_id_of(n.a_dir), n.a_dir}, {node_id_of(n.b_dir), n.b_dir}},
    size_t(count));

  auto down = n.styx({"down", "--all"});
  INFO(down.out << down.err);
  CHECK(down.rc == 0);
  n.a.terminate();
  n.b->terminate();
  CHECK(saved_live_instances(n.a_dir).empty());
  CHECK(saved_live_instances(n.b_dir).empty());
}

TEST_CASE("nodes: a down while a node is unreachable exits 1 and names it and changes none of "
          "its records and a later down finishes the job",
          "[node][e2e]") {
  two_nodes n{"node-cli-away", "a", "b"};
  auto up = n.styx({"up", "--nodes", n.nodes, "--count", "100", "--policy", "least-loaded"});
  REQUIRE(up.rc == 0);
  auto b_id = node_id_of(n.b_dir);
  n.b->terminate(); // B is away; its cloud keeps its instances
  auto b_live = saved_live_instances(n.b_dir);
  REQUIRE_FALSE(b_live.empty());
  std::map<instance_id, instance_record> b_before;
  for (auto& r : stored(n.engine_dir))
    if (r.provider.node == b_id)
      b_before.emplace(r.id, r);
  REQUIRE(b_before.size() == b_live.size());

  auto line = std::to_string(b_before.size()) + " instance(s) on node 127.0.0.1:"
              + std::to_string(n.b_port) + " not reached; nothing changed for them";
  auto check_b_untouched = [&] {
    size_t same = 0;
    for (auto& r : stored(n.engine_dir)) {
      auto i = b_before.find(r.id);
      if (i == b_before.end())
        continue;
      INFO("record " << r.name << " " << to_string(r.state) << ": " << r.last_error);
      CHECK(r.state == i->second.state);
      CHECK(r.since == i->second.since);
      CHECK(r.last_error == i->second.last_error);
      CHECK(r.cloud_id == i->second.cloud_id);
      ++same;
    }
    CHECK(same == b_before.size());
  };
  auto down = n.styx({"down", "--all"});
  INFO(down.out << down.err);
  CHECK(down.rc == 1);
  CHECK(down.err.find("styx: " + line) != std::string::npos);
  check_b_untouched();
  // Neither reconcile nor status claims anything of B.
  auto rec = n.styx({"reconcile", "--json"});
  CHECK(rec.rc == 1);
  CHECK(rec.err.find(line) != std::string::npos);
  CHECK(rec.out.find("\"vanished\":0") != std::string::npos);
  CHECK(rec.out.find("\"not_reached\":" + std::to_string(b_before.size()))
        != std::string::npos);
  check_b_untouched();
  auto status = n.styx({"status", "--refresh"});
  CHECK(status.rc == 1);
  CHECK(status.err.find(line) != std::string::npos);
  // What down could reach, it ended: A is empty. B's cloud is as B left it.
  CHECK(saved_live_instances(n.a_dir).empty());
  CHECK(saved_live_instances(n.b_dir).size() == b_live.size());

  n.restart_b(); // B is back
  auto again = n.styx({"down", "--all"});
  INFO(again.out << again.err);
  CHECK(again.rc == 0);
  CHECK(again.err.find("not reached") == std::string::npos);
  n.a.terminate();
  n.b->terminate();
  CHECK(saved_live_instances(n.a_dir).empty());
  CHECK(saved_live_instances(n.b_dir).empty());
  for (auto& r : stored(n.engine_dir))
    CHECK(is_final(r.state));
}
