// The whole engine on GCP, against the fake Compute API: a 500-instance fan-out that fails over
// across zones on capacity errors, then stop, start and terminate; every HTTP request that
// reaches Compute is one a provider actor admitted through its buckets (the one door); gcloud
// and Apache libcloud's GCE driver see what Styx made, with its labels. Then reconcile against
// instances gcloud made: one that replaces a lost instance of a request is adopted, one of a
// request the store does not know is ended as an orphan.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/engine.hpp"
#include "runtime/http_engine.hpp"
#include "runtime/reconcile.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"
#include "tests/engine_checks.hpp"
#include "tests/one_door.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// Passes every request on to `inner` and counts it, by its URL's last word before the query.
/// Thread rules: send() and the counts may be called from any thread (a mutex). Lifetimes:
/// `inner` must outlive it; it keeps nothing of a request once passed on.
class counting_wire final : public http_transport {
public:
  explicit counting_wire(http_transport& inner) : inner_(inner) {}

  void send(http_request req, http_handler done) override {
    auto path = req.url.substr(0, req.url.find('?'));
    auto kind = req.method + " " + path.substr(path.rfind('/') + 1);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      ++total_;
      ++by_kind_[kind];
    }
    inner_.send(std::move(req), std::move(done));
  }

  uint64_t total() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return total_;
  }

private:
  http_transport& inner_;
  mutable std::mutex mtx_;
  uint64_t total_ = 0;
  std::map<std::string, uint64_t> by_kind_;
};

uint64_t api_calls(engine& eng) {
  uint64_t n = 0;
  for (auto& s : eng.stats())
    n += s.api_calls;
  return n;
}

std::map<std::string, int> by_status(const std::vector<gcp_seen>& xs) {
  std::map<std::string, int> out;
  for (auto& x : xs)
    ++out[x.status];
  return out;
}

} // namespace

TEST_CASE("gcp engine: 500 instances fail over across zones then stop and start and "
          "terminate - every request through a provider bucket - seen by gcloud and libcloud") {
  gcp_fake fake;
  fake.use_env();
  fake.faults(R"({"zone":"us-central1-a","capacity":0})");
  fake.faults(R"({"zone":"us-central1-b","capacity":0,"stockout":"ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"})");
  http_engine http;
  counting_wire wire{http};
  auto cfg = gcp_engine_config();
  cfg.transport = &wire;
  auto eng = engine::start(cfg);
  auto t0 = std::chrono::steady_clock::now();
  auto req = provision_request::make("fan", resources{}).provider("gcp").count(500).tag("team", "ml");
  auto done = eng->submit(req).wait_for(seconds(180));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  auto up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(done->running == 500);
  auto calls = api_calls(*eng);
  auto requests = wire.total();
  std::cout << "gcp fan-out of 500 through zone failover: all running after " << up_seconds
            << " s; " << calls << " API calls (" << calls / 500.0 << " per instance), "
            << requests << " HTTP requests (" << requests / 500.0 << " per instance)\n";
  for (auto& r : eng->list()) {
    CHECK(r.zone == "us-central1-c");
    CHECK(r.state == instance_state::running);
  }
  CHECK(fake.stat("create_errors_ZONE_RESOURCE_POOL_EXHAUSTED") >= 1);
  CHECK(fake.stat("create_errors_ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS") >= 1);
  CHECK(fake.stat("instances.bulkInsert") <= 8);

  // gcloud and libcloud, independent clients, see the same 500 with Styx's labels.
  auto engine_label = "styx-engine=" + eng->engine_id();
  auto seen = gcloud_instances("labels.styx-engine=" + eng->engine_id());
  REQUIRE(seen.size() == 500);
  for (auto& s : seen) {
    CHECK(s.status == "RUNNING");
    CHECK(s.zone == "us-central1-c");
    CHECK(s.machine_type == "e2-micro");
    CHECK(s.labels.at("styx-request") == done->request.to_string());
    CHECK(s.labels.at("team") == "ml");
    CHECK(s.name.rfind("styx-", 0) == 0);
  }
  auto nodes = libcloud_nodes(fake, engine_label);
  CHECK(nodes.size() == 500);
  CHECK(by_status(nodes)["running"] == 500);

  CHECK(eng->stop(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::stopped, seconds(120)));
  CHECK(by_status(gcloud_instances("labels.styx-engine=" + eng->engine_id()))["TERMINATED"]
        == 500);
  CHECK(eng->start_instances(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::running, seconds(120)));
  CHECK(eng->terminate(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(120)));
  CHECK(fake.stat("instances.stop") == 500);
  CHECK(fake.stat("instances.start") == 500);
  CHECK(fake.stat("instances.delete") == 500);
  CHECK(gcloud_instances().empty());
  auto [sent, admitted] = settled_counts(*eng, wire, 0, 0);
  CHECK(sent == admitted); // (the fake counts gcloud's and libcloud's requests too)
}

TEST_CASE("gcp engine: reconcile adopts what gcloud made for a request and ends an orphan") {
  gcp_fake fake;
  fake.use_env();
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-gcp-reconcile-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  auto cfg = gcp_engine_config();
  cfg.state_dir = dir;
  std::string engine_id, request;
  std::string lost;
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    auto done = eng->submit(provision_request::make("rec", resources{}).provider("gcp").count(3))
                  .wait_for(seconds(60));
    REQUIRE(done);
    REQUIRE(done->ok);
    request = done->request.to_string();
    lost = eng->list().front().cloud_id;
  }
  // Behind Styx's back: one of its instances is deleted and gcloud makes its replacement with
  // the request's labels; gcloud also makes one for a request the store never knew.
  auto lost_name = lost.substr(lost.find('/') + 1);
  gcloud("compute instances delete " + lost_name + " --zone us-central1-a --quiet");
  auto labels = "styx-engine=" + engine_id + ",styx-request=" + request;
  gcloud("compute instances create by-hand --zone us-central1-a --machine-type e2-micro "
         "--labels " + labels);
  gcloud("compute instances create stray --zone us-central1-a --machine-type e2-micro --labels "
         "styx-engine=" + engine_id + ",styx-request=00000000-0000-4000-8000-0000000000ab");
  REQUIRE(gcloud_instances().size() == 4);
  check_reconcile_adopts(cfg, "us-central1-a/by-hand", request);
  CHECK(fake.wait_until([](auto& all) { return all.count("stray") == 0; }));
  auto left = gcloud_instances("labels.styx-engine=" + engine_id);
  std::set<std::string> names;
  for (auto& s : left)
    names.insert(s.name);
  CHECK(names.count("stray") == 0);
  CHECK(names.count("by-hand") == 1);
  CHECK(names.size() == 3);
  std::filesystem::remove_all(dir);
}
