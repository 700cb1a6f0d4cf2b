// The one door, proven against moto: every HTTP request that reaches EC2 is an API call that a
// provider actor admitted through one of its request buckets. A counting transport wraps the
// engine's HTTP and sees every request go out; the provider actors count the tokens they took,
// per API class. For a fan-out, a crash (the store loses half its records and every create's
// outcome, as a kill -9 between the create and its commit would leave it), a reconcile that
// identifies the instances by their create call, surplus terminated, and a down, the two
// counts are equal. boto3 then checks from EC2's side that nothing is left alive.

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "providers/aws/ec2_query.hpp"
#include "runtime/engine.hpp"
#include "runtime/http_engine.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/store.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/one_door.hpp"
#include "tests/sqlite_exec.hpp"

using namespace styx;
using namespace styx::test;

namespace {

const char* const region = "us-east-1";

/// Passes every request on to `inner` and counts it by its EC2 Action.
class counting_transport final : public http_transport {
public:
  explicit counting_transport(http_transport& inner) : inner_(inner) {}

  void send(http_request req, http_handler done) override {
    std::string action = "?";
    for (auto& [k, v] : ec2_form_decode(req.body))
      if (k == "Action")
        action = v;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      ++by_action_[action];
      ++total_;
    }
    inner_.send(std::move(req), std::move(done));
  }

  uint64_t total() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return total_;
  }

  uint64_t count(const std::string& action) const {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = by_action_.find(action);
    return i == by_action_.end() ? 0 : i->second;
  }

private:
  http_transport& inner_;
  mutable std::mutex mtx_;
  std::map<std::string, uint64_t> by_action_;
  uint64_t total_ = 0;
};

} // namespace

TEST_CASE("one door: every request to EC2 was admitted by a provider bucket, through a fan-out, "
          "a crash, a reconcile and a down") {
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  http_engine http;
  counting_transport wire{http};
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-one-door-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  auto cfg = aws_engine_config(region);
  cfg.state_dir = dir;
  cfg.transport = &wire;

  std::map<std::string, instance_id> ids; // cloud id -> engine id, before the crash
  std::string engine_id;
  uint64_t taken = 0;
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    auto done = eng->submit(provision_request::make("door", resources{}).provider("aws").count(300))
                  .wait_for(seconds(300));
    REQUIRE(done);
    REQUIRE(done->ok);
    for (auto& r : eng->list())
      ids[r.cloud_id] = r.id;
    auto [sent, admitted] = settled_counts(*eng, wire, 0, 0);
    CHECK(sent == admitted);
    taken = tokens_taken(*eng);
  }
  REQUIRE(ids.size() == 300);
  auto sent_first = wire.total();
  CHECK(sent_first == taken);
  CHECK(wire.count("CreateTags") == 0);
  CHECK(wire.count("RunInstances") <= 2); // one batch, or two if the window closed early

  // The crash: half the records and every create's outcome never reached the disk, and the
  // request never finished. A create retried on a cloud that ignores ClientToken (moto) left
  // 4 copies with the request's tags.
  auto db_path = dir + "/styx.db";
  sql(db_path, "UPDATE intents SET outcome = NULL; DELETE FROM instances WHERE rowid % 2 = 0;"
               "UPDATE requests SET state = 'submitted', done_at = 0;");
  std::string rid;
  {
    auto db = store::open(db_path);
    REQUIRE(db->requests().size() == 1);
    rid = db->requests().front().id.to_string();
  }
  auto extra = run_command("python3 " + fixture_path("crash_ec2_view.py") + " " + moto.endpoint()
                           + " " + region + " run 4 styx:engine=" + engine_id
                           + " styx:request=" + rid);
  REQUIRE(extra.find("\"ids\"") != std::string::npos);

  {
    cfg.reconcile_on_start = false;
    auto eng = engine::start(cfg);
    auto report = eng->reconcile();
    INFO(report.to_json());
    CHECK(report.terminated_surplus == 4);
    auto live = eng->list();
    int kept = 0;
    for (auto& r : live) {
      if (!is_live(r.state))
        continue;
      INFO(r.cloud_id);
      REQUIRE(ids.count(r.cloud_id) == 1);        // no surplus copy is kept
      CHECK(ids.at(r.cloud_id) == r.id);          // the same id as before the crash
      ++kept;
    }
    CHECK(kept == 300);
    CHECK(eng->terminate(selector::everything()) == 300);
    REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(180)));
    auto [sent, admitted] = settled_counts(*eng, wire, sent_first, 0);
    CHECK(sent == admitted);
  }
  CHECK(wire.count("CreateTags") == 0);
  CHECK(wire.count("TerminateInstances") <= 3); // the surplus, then the 300 (maybe split once)

  // EC2's side: all 304 of the engine's instances are gone.
  auto view = inspect_ec2(moto.endpoint(), region, "styx:engine", engine_id);
  CHECK(view.instances.size() == 304);
  for (auto& inst : view.instances) {
    INFO(inst.id);
    CHECK(inst.state == "terminated");
  }
  std::filesystem::remove_all(dir);
}
