// One writer of instance state, through the whole engine: sessions of random requests, stops,
// starts, terminates and spot preemptions, each ended by a crash that loses store writes (rows
// rolled back to an older state or lost, create outcomes unrecorded), then a start that
// reconciles. A trigger in the database logs every state change the store records; each must
// be legal by the table (messages/transition.hpp), no writer may have a write refused, and at
// the end the simulated cloud's own saved state holds nothing live.

#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "messages/transition.hpp"
#include "providers/sim/sim_state_file.hpp"
#include "runtime/engine.hpp"
#include "runtime/store.hpp"
#include "tests/runtime/fast_engine.hpp"
#include "tests/sqlite_exec.hpp"

using namespace styx;
using styx::test::sql;

namespace {

namespace fs = std::filesystem;

engine_config session_config(const std::string& dir) {
  auto cfg = test::fast_config(dir, 0); // seed 0: fresh ids each session, as processes have
  cfg.sim.pending_max = milliseconds(120);
  cfg.sim.transition_max = milliseconds(80);
  cfg.sim.spot_preemptions_per_hour = 3600; // about one a second per spot instance
  for (auto& p : cfg.providers)
    p.limits.poll_interval = milliseconds(40);
  return cfg;
}

constexpr const char* audit_on =
  "CREATE TABLE IF NOT EXISTS audit (old_state TEXT, old_reason TEXT, new_state TEXT,"
  " new_reason TEXT);"
  "CREATE TRIGGER IF NOT EXISTS audit_moves AFTER UPDATE OF state ON instances"
  " WHEN old.state <> new.state BEGIN INSERT INTO audit VALUES (old.state, old.reason,"
  " new.state, new.reason); END;";

struct move_row {
  std::string from, from_reason, to, to_reason;
};

std::vector<move_row> audited(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT * FROM audit", -1, &st, nullptr) == SQLITE_OK);
  std::vector<move_row> out;
  auto col = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i))); };
  while (sqlite3_step(st) == SQLITE_ROW)
    out.push_back(move_row{col(0), col(1), col(2), col(3)});
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

} // namespace

TEST_CASE("one writer: sessions with crashes and reconciles record only legal transitions") {
  auto dir = (fs::temp_directory_path() / ("styx-one-writer-engine-" + std::to_string(::getpid())))
               .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto db_path = dir + "/styx.db";
  std::mt19937 rng{20261201};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

  for (int session = 0; session < 4; ++session) {
    INFO("session " << session);
    {
      auto eng = engine::start(session_config(dir)); // reconciles what the crash left
      if (session == 0) {
        eng->durable_store()->flush();
        sql(db_path, audit_on); // the schema exists now
      }
      for (int r = 0; r < 2; ++r)
        eng->submit(provision_request::make("s" + std::to_string(session), resources{})
                      .count(3 + pick(8))
                      .spot(pick(2) == 0));
      for (int i = 0; i < 8; ++i) {
        std::this_thread::sleep_for(milliseconds(40 * (1 + pick(5))));
        auto xs = eng->list();
        if (xs.empty())
          continue;
        auto& x = xs[static_cast<size_t>(pick(static_cast<int>(xs.size())))];
        selector one;
        one.ids.push_back(x.id);
        switch (pick(3)) {
          case 0: eng->stop(one); break;
          case 1: eng->start_instances(one); break;
          default: eng->terminate(one); break;
        }
      }
      std::this_thread::sleep_for(milliseconds(300));
      eng->durable_store()->flush();
      CHECK(eng->durable_store()->refused_writes() == 0);
    } // the engine stops; the crash below takes back what its last writes did
    sql(db_path, "DROP TRIGGER audit_moves;"
                 "UPDATE instances SET state = 'pending', reason = '' WHERE rowid % 3 = 0"
                 " AND state IN ('running', 'stopped', 'stopping', 'starting');"
                 "DELETE FROM instances WHERE rowid % 5 = 1;"
                 "UPDATE intents SET outcome = NULL WHERE rowid % 2 = 0;");
    sql(db_path, audit_on);
  }
  {
    auto eng = engine::start(session_config(dir));
    eng->adopt();
    eng->terminate(selector::everything());
    CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
    eng->durable_store()->flush();
    CHECK(eng->durable_store()->refused_writes() == 0);
  }

  auto moves = audited(db_path);
  CHECK(moves.size() > 40);
  for (auto& m : moves) {
    INFO(m.from << " (" << m.from_reason << ") -> " << m.to << " (" << m.to_reason << ")");
    auto from = parse_instance_state(m.from);
    auto to = parse_instance_state(m.to);
    auto from_why = parse_state_reason(m.from_reason);
    auto to_why = parse_state_reason(m.to_reason);
    REQUIRE((from && to && from_why && to_why));
    CHECK(may_follow(*from, *from_why, *to, *to_why));
  }
  // The cloud's own state, as the simulated cloud saved it: nothing live is left.
  std::string text, error;
  bool missing = false;
  REQUIRE(read_whole_file(dir + "/sim-cloud.json", &text, &missing, &error));
  REQUIRE_FALSE(missing);
  sim_snapshot snap;
  REQUIRE(decode_sim_snapshot(text, &snap, &error));
  CHECK(snap.instances.size() > 20);
  for (auto& x : snap.instances) {
    INFO(x.info.cloud_id << " " << to_string(x.info.state));
    CHECK(is_final(x.info.state));
  }
  fs::remove_all(dir);
}
