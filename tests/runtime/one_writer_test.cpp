// One writer of instance state: random sequences of user changes, cloud-side moves (spot
// preemptions, console terminates), provider losses and returns, driven through the instance
// actors and the supervisor on the deterministic scheduler, with every published transition
// written to a real store as the engine does. Each transition must follow from the one before
// it by the table (messages/transition.hpp), the store must refuse none, and at the end the
// cloud itself must hold nothing live.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "messages/transition.hpp"
#include "runtime/store.hpp"
#include "tests/actors/supervisor_world.hpp"

using namespace styx;
using namespace styx::test;

namespace {

namespace fs = std::filesystem;

struct scratch_dir {
  std::string path;
  scratch_dir() {
    path = (fs::temp_directory_path() / ("styx-one-writer-" + std::to_string(::getpid()))).string();
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
};

sim_config moving_sim() {
  auto c = sim_config::unlimited();
  c.pending_min = milliseconds(50);
  c.pending_max = milliseconds(400);
  c.transition_min = milliseconds(50);
  c.transition_max = milliseconds(300);
  return c;
}

/// Checks every transition published since the last call against the record before it, and
/// writes it to the store, as the engine's event hub does.
struct transition_audit {
  std::map<instance_id, instance_record> last;
  size_t seen = 0;
  int illegal = 0;
  int checked = 0;

  void drain(world& w, store& db) {
    auto& xs = w.log->changes;
    for (; seen < xs.size(); ++seen) {
      auto& rec = xs[seen].record;
      auto prev = last.find(rec.id);
      if (prev != last.end() && prev->second.state != rec.state) {
        ++checked;
        if (!may_follow(prev->second.state, prev->second.reason, rec.state, rec.reason)) {
          ++illegal;
          UNSCOPED_INFO("illegal " << to_string(prev->second.state) << " -> "
                                   << to_string(rec.state) << " (" << to_string(rec.reason)
                                   << ") for " << rec.name);
        }
      }
      last[rec.id] = rec;
      db.record_instance(rec);
    }
  }
};

std::vector<instance_record> all_records(world& w) {
  auto xs = w.f.ask<std::vector<instance_record>>(w.sup, list_atom::value,
                                                  selector::everything());
  REQUIRE(xs);
  return *xs;
}

} // namespace

TEST_CASE("one writer: random changes and preemptions and losses and returns stay in the table") {
  auto seed = GENERATE(11u, 23u, 37u, 41u);
  INFO("seed " << seed);
  scratch_dir dir;
  auto db = store::open(dir.path + "/styx.db", store_options{milliseconds(1), 512, false});
  world w{moving_sim(), {"us-east-1", "us-west-2"}, {}, placement_policy::least_loaded};
  std::mt19937 rng{seed};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  provider_actor west = w.providers[1];
  bool west_up = true;
  transition_audit audit;
  int losses = 0, preemptions = 0;

  auto random_in = [&](std::function<bool(const instance_record&)> keep)
    -> std::optional<instance_record> {
    std::vector<instance_record> xs;
    for (auto& r : all_records(w))
      if (keep(r))
        xs.push_back(r);
    if (xs.empty())
      return std::nullopt;
    return xs[static_cast<size_t>(pick(static_cast<int>(xs.size())))];
  };
  auto ask_change = [&](change_op op, const instance_record& r) {
    selector sel;
    sel.ids.push_back(r.id);
    w.f.ask<int>(w.sup, op, sel);
  };

  for (int step = 0; step < 240; ++step) {
    switch (pick(8)) {
      case 0: {
        auto req = provision_request::make("p" + std::to_string(step), resources{})
                     .count(1 + pick(6))
                     .spot(pick(2) == 0);
        w.f.ask<request_id>(w.sup, req);
        break;
      }
      case 1:
        if (auto r = random_in([](auto& r) { return r.state == instance_state::running; }))
          ask_change(change_op::stop, *r);
        break;
      case 2:
        if (auto r = random_in([](auto& r) { return r.state == instance_state::stopped; }))
          ask_change(change_op::start, *r);
        break;
      case 3:
        if (auto r = random_in([](auto& r) { return is_live(r.state); }))
          ask_change(change_op::terminate, *r);
        break;
      case 4:
        if (auto r = random_in([](auto& r) {
              return r.state == instance_state::running && r.market == market_kind::spot;
            }))
          preemptions += w.f.cloud->preempt(r->cloud_id) ? 1 : 0;
        break;
      case 5:
        if (auto r = random_in([](auto& r) { return is_live(r.state) && !r.cloud_id.empty(); })) {
          api_call end; // someone ends it in the console
          end.op = api_op::terminate;
          end.cloud_ids = {r->cloud_id};
          w.f.cloud->handle(r->provider.region, end);
        }
        break;
      case 6:
        if (west_up) {
          caf::anon_send_exit(west, caf::exit_reason::kill);
          west_up = false;
          ++losses;
        }
        break;
      default:
        if (!west_up) {
          auto api = w.f.api("us-west-2");
          west = spawn_provider(w.f.sys, api, provider_config{});
          w.providers.push_back(west);
          caf::anon_send(w.sup, provider_atom::value, west, api->id());
          west_up = true;
        }
        break;
    }
    w.f.advance(milliseconds(50 * (1 + pick(20))));
    audit.drain(w, *db);
  }
  if (!west_up) {
    auto api = w.f.api("us-west-2");
    west = spawn_provider(w.f.sys, api, provider_config{});
    w.providers.push_back(west);
    caf::anon_send(w.sup, provider_atom::value, west, api->id());
  }
  w.f.advance(seconds(3));
  REQUIRE(w.f.ask<int>(w.sup, change_op::terminate, selector::everything()));
  w.f.advance(seconds(20));
  audit.drain(w, *db);
  db->flush();

  CHECK(audit.checked > 200);
  CHECK(losses > 2); // the walk did cover the rare moves
  CHECK(preemptions > 2);
  CHECK(audit.illegal == 0);
  CHECK(db->refused_writes() == 0);
  for (auto& r : db->instances()) {
    INFO(r.name << " " << to_string(r.state) << " " << to_string(r.reason));
    CHECK(is_final(r.state));
  }
  CHECK(w.f.cloud->live_count() == 0); // the cloud's own view: nothing left running
}
