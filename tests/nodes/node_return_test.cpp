// A node that goes away and comes back. The engine drives two `styx node` child processes (each
// a simulated cloud that keeps its state in a file, as a real cloud would keep its instances).
// Node B is killed with SIGKILL, or frozen with SIGSTOP past the heartbeat timeout, in the
// middle of a fan-out: its in-flight instances are re-placed on node A and the request
// finishes without it. Then B returns (restarted on the same port and state dir, or resumed
// with SIGCONT); the engine reconnects, and the supervisor matches B's cloud against its
// records. The invariants are checked from the clouds' own state files: every live instance
// has a running record, every running record has its live instance, and no request holds
// more instances than it asked for.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "providers/sim/sim_cloud.hpp"
#include "runtime/engine.hpp"
#include "tests/nodes/node_process.hpp"

using namespace styx;
using styx::test::node_process;

namespace {

namespace fs = std::filesystem;

struct node_dirs {
  fs::path root;
  explicit node_dirs(const std::string& name)
    : root(fs::temp_directory_path() / ("styx-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    fs::create_directories(root / "a");
    fs::create_directories(root / "b");
  }
  ~node_dirs() { fs::remove_all(root); }
  std::string a() const { return (root / "a").string(); }
  std::string b() const { return (root / "b").string(); }
};

std::vector<std::string> node_args(const std::string& region, uint16_t port,
                                   const std::string& state_dir) {
  // EC2's client buckets refilled 1000x faster: 10,000 instances in seconds.
  return {"--listen",    "127.0.0.1:" + std::to_string(port), "--insecure", "--region", region,
          "--sim-profile", "fast", "--rate-scale", "1000", "--state-dir", state_dir};
}

engine_config engine_for(uint16_t a, uint16_t b) {
  engine_config cfg;
  cfg.seed = 78;
  cfg.providers.clear(); // only the nodes' providers
  cfg.policy = placement_policy::least_loaded;
  // Long enough for sanitizer builds on a loaded machine: with 10 s, instances that were only
  // slow were given up there and the request came out short (TSan, 5,866 of 10,000).
  cfg.pending_timeout = seconds(60);
  cfg.node_net.insecure = true;
  cfg.threads = 2;
  cfg.nodes = {remote_node{"127.0.0.1", a}, remote_node{"127.0.0.1", b}};
  return cfg;
}

/// The live instances in a node's simulated cloud, by cloud id (read from its state file).
std::map<std::string, cloud_instance> live_on_cloud(const std::string& dir) {
  return styx::test::saved_live_instances(dir);
}

/// Collects provider_returned events. Declared before the engine it attaches to, so that it
/// outlives the engine's threads that call it (the other way round is a use after free while
/// the engine shuts down: ASan aborted the test once).
struct return_watch {
  std::mutex mtx;
  std::vector<provider_returned> seen;
  std::atomic<int> changes{0};

  void attach(engine& eng) {
    eng.subscribe([this](const engine_event& ev) {
      if (std::holds_alternative<instance_state_changed>(ev))
        ++changes;
      if (auto* r = std::get_if<provider_returned>(&ev)) {
        std::lock_guard<std::mutex> guard{mtx};
        seen.push_back(*r);
      }
    });
  }

  std::optional<provider_returned> wait(duration timeout) {
    auto until = clock_type::now() + timeout;
    while (clock_type::now() < until) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (!seen.empty())
          return seen.front();
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return std::nullopt;
  }

  /// Until `n` transitions happened (each instance makes two on its way to running).
  void wait_for_changes(int n) {
    for (int i = 0; i < 6000 && changes.load() < n; ++i)
      std::this_thread::sleep_for(milliseconds(5));
  }
};

/// Where the engine's instances are, by provider and state: what a test that waited in vain
/// prints.
std::string where_they_are(engine& eng) {
  std::map<std::string, int> by;
  for (auto& r : eng.list())
    ++by[r.provider.to_string() + " " + to_string(r.state)];
  std::string out;
  for (auto& [k, n] : by)
    out += k + ": " + std::to_string(n) + "\n";
  for (auto& st : eng.stats())
    out += st.provider.to_string() + ": " + std::to_string(st.api_calls) + " calls, "
           + std::to_string(st.watched) + " watched\n";
  return out;
}

/// The request ran to the end without node B: every instance running or failed with a reason,
/// and what B had in flight was re-placed, so the request has all it asked for.
void check_request_finished(const request_done& done, engine& eng, int count) {
  CHECK(done.ok);
  CHECK(done.running == count);
  int running = 0;
  for (auto& r : eng.list()) {
    if (r.state == instance_state::running) {
      ++running;
    } else {
      CHECK(r.state == instance_state::failed);
      CHECK_FALSE(r.last_error.empty());
    }
  }
  CHECK(running == count);
}

/// After B returned and the engine settled: the clouds and the records agree.
void check_clouds_match_records(engine& eng, const node_dirs& dirs, int count) {
  // Settled: nothing in transition, and the surplus ended (it is running while it waits for
  // its terminate call).
  REQUIRE(eng.wait_for_state(selector::everything(), instance_state::running, seconds(60)));
  for (int i = 0; i < 600; ++i) {
    auto all = eng.list();
    auto running = std::count_if(all.begin(), all.end(), [](const instance_record& r) {
      return r.state == instance_state::running;
    });
    if (running <= count)
      break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  REQUIRE(eng.wait_for_state(selector::everything(), instance_state::running, seconds(60)));
  std::this_thread::sleep_for(seconds(1)); // the sim's shutting-down -> terminated delay
  std::map<std::string, std::map<std::string, cloud_instance>> clouds{
    {"us-east-1", live_on_cloud(dirs.a())}, {"us-west-2", live_on_cloud(dirs.b())}};
  std::set<std::string> running_records;
  int live_records = 0;
  for (auto& r : eng.list()) {
    INFO("record " << r.id.to_string() << " " << to_string(r.state) << " on "
                   << r.provider.to_string() << " " << r.cloud_id << ": " << r.last_error);
    CHECK((r.state == instance_state::running || is_final(r.state)));
    if (r.state != instance_state::running)
      continue;
    ++live_records;
    auto key = r.provider.region + "/" + r.cloud_id;
    CHECK(running_records.insert(key).second); // no two records of one instance
    auto& cloud = clouds[r.provider.region];
    CHECK(cloud.count(r.cloud_id) == 1); // the record's instance exists
  }
  size_t live_instances = 0;
  for (auto& [region, live] : clouds)
    for (auto& [cloud_id, ci] : live) {
      ++live_instances;
      INFO("live on the cloud: " << region << "/" << cloud_id);
      CHECK(running_records.count(region + "/" + cloud_id) == 1); // none without a record
    }
  CHECK(live_records == count);               // the request has what it asked for...
  CHECK(live_instances == size_t(count));     // ...and not one instance more
}

} // namespace

TEST_CASE("a node killed mid fan-out and restarted is reconciled", "[node][e2e]") {
  node_dirs dirs{"node-return"};
  node_process a{node_args("us-east-1", 0, dirs.a())};
  auto b = std::make_unique<node_process>(node_args("us-west-2", 0, dirs.b()));
  auto b_port = b->port();
  return_watch watch; // before the engine: its callback runs until the engine is gone
  auto eng = engine::start(engine_for(a.port(), b_port));
  REQUIRE(eng->stats().size() == 2);
  watch.attach(*eng);
  const int count = 10000;
  auto h = eng->submit(
    provision_request::make("back", resources{}.cpus(1)).count(count).min_count(1));
  watch.wait_for_changes(count); // about half way: some of B's run, others are in flight
  b->kill9();
  auto done = h.wait_for(seconds(90));
  if (!done)
    WARN("after 90 s:\n" << where_they_are(*eng));
  REQUIRE(done);
  check_request_finished(*done, *eng, count);
  // B comes back on the same port with the same cloud; the engine reconnects by itself.
  b = std::make_unique<node_process>(node_args("us-west-2", b_port, dirs.b()));
  auto back = watch.wait(seconds(60));
  REQUIRE(back);
  CHECK(back->provider.region == "us-west-2");
  CHECK(back->error.empty());
  WARN("node B back: " << back->rewatched << " followed again, " << back->adopted
                       << " adopted, " << back->terminated << " surplus terminated, "
                       << back->vanished << " vanished");
  CHECK(back->rewatched > 0);  // B's running instances, followed again
  CHECK(back->terminated > 0); // B's in-flight ones, replaced on A meanwhile
  check_clouds_match_records(*eng, dirs, count);
  eng->terminate(selector::everything());
  CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}

TEST_CASE("a frozen node does not stall the others and is reconciled when it thaws",
          "[node][e2e]") {
  node_dirs dirs{"node-frozen"};
  node_process a{node_args("us-east-1", 0, dirs.a())};
  node_process b{node_args("us-west-2", 0, dirs.b())};
  return_watch watch; // before the engine, as above
  auto eng = engine::start(engine_for(a.port(), b.port()));
  REQUIRE(eng->stats().size() == 2);
  watch.attach(*eng);
  const int count = 600;
  auto h = eng->submit(
    provision_request::make("frozen", resources{}.cpus(1)).count(count).min_count(1));
  watch.wait_for_changes(50);
  b.signal(SIGSTOP);
  // The heartbeat timeout cuts B off; A finishes the request alone.
  auto done = h.wait_for(seconds(90));
  b.signal(SIGCONT);
  REQUIRE(done);
  check_request_finished(*done, *eng, count);
  auto back = watch.wait(seconds(60));
  REQUIRE(back);
  CHECK(back->provider.region == "us-west-2");
  CHECK(back->error.empty());
  WARN("node B thawed: " << back->rewatched << " followed again, " << back->adopted
                         << " adopted, " << back->terminated << " surplus terminated, "
                         << back->vanished << " vanished");
  check_clouds_match_records(*eng, dirs, count);
  eng->terminate(selector::everything());
  CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
}
