// sim_cloud's state file: round trips across "processes" (two clouds, two clocks), wall time
// passing in between, and corrupted files.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "providers/sim/sim_cloud.hpp"

using namespace styx;
namespace fs = std::filesystem;

namespace {

const std::string east = "us-east-1";

/// A fresh directory under the system's temp dir, removed afterwards.
struct temp_dir {
  fs::path path;
  explicit temp_dir(const std::string& name) {
    path = fs::temp_directory_path()
           / ("styx_sim_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

sim_config config_for(const std::string& file) {
  sim_config c;
  c.latency_median = c.latency_p99 = duration::zero();
  c.throttle = false;
  c.pending_min = c.pending_max = seconds(5);
  c.transition_min = c.transition_max = seconds(2);
  c.state_file = file;
  return c;
}

api_call create_call(int n, std::string token = "", market_kind m = market_kind::on_demand) {
  static uuid_generator ids(7);
  api_call c;
  c.op = api_op::create;
  c.spec.instance_type = "c5.large";
  c.spec.zone = "us-east-1c";
  c.spec.market = m;
  c.spec.tags["quote\"and\\slash"] = "line\nbreak\ttab \x01 é";
  c.client_token = std::move(token);
  for (int i = 0; i < n; ++i) {
    create_slot s;
    static_cast<uuid&>(s.id) = ids.next();
    static_cast<uuid&>(s.request) = ids.next();
    s.name = "n" + std::to_string(i);
    c.slots.push_back(s);
  }
  return c;
}

api_call ids_call(api_op op, std::vector<std::string> ids) {
  api_call c;
  c.op = op;
  c.cloud_ids = std::move(ids);
  return c;
}

std::string read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A clock whose monotonic and wall times move apart, like two processes' clocks do.
class split_clock final : public clock {
public:
  split_clock(time_point now, unix_ms wall) : now_(now), wall_(wall) {}
  time_point now() const override { return now_; }
  unix_ms wall_ms() const override { return wall_; }
  void advance(duration d) {
    now_ += d;
    wall_ += std::chrono::duration_cast<milliseconds>(d).count();
  }

private:
  time_point now_;
  unix_ms wall_;
};

bool spot_state_is_running(sim_cloud& c, const std::string& id) {
  auto r = c.handle("us-east-1", ids_call(api_op::describe, {id}));
  return r.instances.size() == 1 && r.instances[0].state == instance_state::running;
}

void write(const std::string& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

} // namespace

TEST_CASE("sim store: a saved cloud loads with its state, tokens and timers") {
  temp_dir dir("roundtrip");
  auto file = dir.file("state.json");
  manual_clock clk1;
  sim_cloud one(config_for(file), clk1);
  auto a = one.handle(east, create_call(2, "tok")).instances;  // running at save
  auto t = one.handle(east, create_call(1)).instances;          // terminated at save
  auto s = one.handle(east, create_call(1)).instances;          // stopped at save
  clk1.advance(seconds(5));
  one.handle(east, ids_call(api_op::terminate, {t[0].cloud_id}));
  one.handle(east, ids_call(api_op::stop, {s[0].cloud_id}));
  clk1.advance(seconds(2));
  auto p = one.handle(east, create_call(3)).instances; // pending, 5 s to go
  clk1.advance(seconds(1));                             // 4 s to go
  std::string error;
  REQUIRE(one.save(&error));
  CHECK_FALSE(fs::exists(file + ".tmp"));
  auto before = one.all();
  REQUIRE(before.size() == 7);

  SECTION("with no time passing, everything is as it was") {
    manual_clock clk2;
    clk2.set(clk1.now());
    sim_cloud two(config_for(file), clk2);
    REQUIRE(two.load(&error));
    auto after = two.all();
    REQUIRE(after.size() == before.size());
    for (size_t n = 0; n < after.size(); ++n) {
      CHECK(after[n].cloud_id == before[n].cloud_id);
      CHECK(after[n].state == before[n].state);
      CHECK(after[n].reason == before[n].reason);
      CHECK(after[n].tags == before[n].tags);
      CHECK(after[n].zone == before[n].zone);
      CHECK(after[n].instance_type == before[n].instance_type);
      CHECK(after[n].market == before[n].market);
      CHECK(after[n].launched_at == before[n].launched_at);
    }
    CHECK(two.live_count() == one.live_count());
    // The client token survived: no new instances.
    auto again = two.handle(east, create_call(2, "tok"));
    REQUIRE(again.instances.size() == 2);
    CHECK(again.instances[0].cloud_id == a[0].cloud_id);
    CHECK(two.live_count() == 6);
    // Pending timers continue: 4 s to go.
    clk2.advance(milliseconds(3999));
    CHECK(two.handle(east, ids_call(api_op::describe, {p[0].cloud_id})).instances[0].state
          == instance_state::pending);
    clk2.advance(milliseconds(1));
    CHECK(two.handle(east, ids_call(api_op::describe, {p[0].cloud_id})).instances[0].state
          == instance_state::running);
    // New ids do not collide with the loaded ones.
    auto fresh = two.handle(east, create_call(50)).instances;
    for (auto& f : fresh)
      for (auto& b : before)
        CHECK(f.cloud_id != b.cloud_id);
  }

  SECTION("wall time that passed between processes counts") {
    manual_clock clk2;
    clk2.set(clk1.now() + seconds(6)); // 6 s of wall time later, in a "new process"
    sim_cloud two(config_for(file), clk2);
    REQUIRE(two.load(&error));
    auto r = two.handle(east, ids_call(api_op::describe, {p[0].cloud_id, s[0].cloud_id}));
    REQUIRE(r.instances.size() == 2);
    CHECK(r.instances[0].state == instance_state::running);
    CHECK(r.instances[1].state == instance_state::stopped);
    // The terminated one stays visible for the rest of its hour (terminated 1 s before save).
    clk2.advance(std::chrono::minutes(59) + seconds(52));
    CHECK(two.handle(east, ids_call(api_op::describe, {t[0].cloud_id})).instances.size() == 1);
    clk2.advance(seconds(1));
    CHECK(two.handle(east, ids_call(api_op::describe, {t[0].cloud_id})).instances.empty());
  }

  SECTION("saving the loaded state again gives the same file") {
    manual_clock clk2;
    clk2.set(clk1.now());
    sim_cloud two(config_for(file), clk2);
    REQUIRE(two.load(&error));
    auto text = read(file);
    REQUIRE(two.save(&error));
    CHECK(read(file) == text);
  }
}

TEST_CASE("sim store: no file is an empty cloud - no file name means memory only") {
  temp_dir dir("missing");
  manual_clock clk;
  sim_cloud cloud(config_for(dir.file("nothing.json")), clk);
  std::string error;
  CHECK(cloud.load(&error));
  CHECK(cloud.all().empty());
  sim_cloud memory(config_for(""), clk);
  memory.handle(east, create_call(1));
  CHECK(memory.save(&error));
  CHECK(memory.load(&error));
  CHECK(memory.live_count() == 1);
}

TEST_CASE("sim store: a corrupted file is a clear error and stays untouched") {
  temp_dir dir("corrupt");
  auto file = dir.file("state.json");
  manual_clock clk;
  sim_cloud cloud(config_for(file), clk);
  cloud.handle(east, create_call(2));
  std::string error;
  REQUIRE(cloud.save(&error));
  auto good = read(file);

  std::string bad;
  std::string expect;
  SECTION("not JSON") {
    bad = "{\"version\":1, \"instances\": [";
    expect = "";
  }
  SECTION("a future version") {
    bad = good;
    bad.replace(bad.find("\"version\":1"), 11, "\"version\":9");
    expect = "version";
  }
  SECTION("an unknown state") {
    bad = good;
    auto at = bad.find("\"state\":\"pending\"");
    REQUIRE(at != std::string::npos);
    bad.replace(at, 17, "\"state\":\"melting\"");
    expect = "melting";
  }
  SECTION("a field of the wrong type") {
    bad = good;
    auto at = bad.find("\"launched_at\":");
    bad.replace(at, 14, "\"launched_at\":\"x\",\"was\":");
    expect = "launched_at";
  }
  write(file, bad);
  sim_cloud other(config_for(file), clk);
  other.handle(east, create_call(1));
  error.clear();
  CHECK_FALSE(other.load(&error));
  CHECK(error.find(file) != std::string::npos);
  CHECK(error.find(expect) != std::string::npos);
  CHECK(read(file) == bad);           // untouched
  CHECK(other.live_count() == 1);     // state unchanged
}

TEST_CASE("sim store: timers move to the next process's monotonic clock") {
  temp_dir dir("rebase");
  auto file = dir.file("state.json");
  split_clock clk1(time_point(std::chrono::hours(1000)), 1'800'000'000'000);
  auto cfg = config_for(file);
  cfg.spot_preemptions_per_hour = 60; // a preemption time to carry over as well
  sim_cloud one(cfg, clk1);
  auto spot = one.handle(east, create_call(1, "", market_kind::spot)).instances;
  clk1.advance(seconds(6)); // running, its preemption time drawn
  auto p = one.handle(east, create_call(1)).instances;
  clk1.advance(seconds(2)); // 3 s to go
  std::string error;
  REQUIRE(one.save(&error));

  // A new process: its monotonic clock started near zero; 2.5 s of wall time went by.
  split_clock clk2(time_point(seconds(7)), 1'800'000'008'000 + 2'500);
  sim_cloud two(cfg, clk2);
  REQUIRE(two.load(&error));
  auto state = [&] {
    return two.handle(east, ids_call(api_op::describe, {p[0].cloud_id})).instances.at(0).state;
  };
  CHECK(state() == instance_state::pending);
  clk2.advance(milliseconds(499));
  CHECK(state() == instance_state::pending);
  clk2.advance(milliseconds(1));
  CHECK(state() == instance_state::running);
  // The spot instance's preemption time survives the move too: stepping both clouds in
  // lockstep, they see it preempted at the same second (within half an hour: survival e^-30).
  REQUIRE(spot_state_is_running(one, spot[0].cloud_id));
  clk1.advance(seconds(3));
  auto spot_state = [&](sim_cloud& c) {
    return c.handle(east, ids_call(api_op::describe, {spot[0].cloud_id})).instances.at(0).state;
  };
  int flips = 0;
  for (int i = 0; i < 1800; ++i, clk1.advance(seconds(1)), clk2.advance(seconds(1))) {
    auto a = spot_state(one);
    REQUIRE(a == spot_state(two));
    flips += a == instance_state::terminated;
  }
  CHECK(flips > 0);
  CHECK(flips < 1800);
  CHECK(one.live_count() == 1);
  CHECK(two.live_count() == 1);
}
