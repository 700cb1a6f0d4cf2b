// The watch, through the whole engine against the fake cluster: kubectl sees what Styx made
// with its labels; a pod kubectl deletes mid-run is seen through the watch as an instance that
// ended without being asked; a watch the server expires (410) or cuts is followed again after
// a list; 429s are retried; the Python client lists Styx's pods and makes one that Styx's
// reconcile adopts.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "runtime/engine.hpp"
#include "runtime/reconcile.hpp"
#include "tests/kubernetes/k8s_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

provider_stats stats_of(engine& eng) {
  auto all = eng.stats();
  REQUIRE(all.size() == 1);
  return all.front();
}

/// Waits up to `secs` until `pred()`.
template <class Pred>
bool eventually(Pred pred, double secs = 20) {
  for (int i = 0; i < static_cast<int>(secs * 20); ++i) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::optional<instance_record> record_of(engine& eng, const std::string& cloud_id) {
  for (auto& r : eng.list())
    if (r.cloud_id == cloud_id)
      return r;
  return std::nullopt;
}

std::string pyclient(const std::string& kubeconfig, const std::string& args) {
  return run_command("KUBECONFIG=" + kubeconfig + " timeout 60 /usr/bin/python3 "
                     + std::string{STYX_SOURCE_DIR} + "/tests/fakes/kubernetes/pyclient.py "
                     + args + " 2>&1");
}

/// One fake cluster and a kubeconfig naming it, in KUBECONFIG while it lives. Thread rules:
/// the test's thread. Lifetimes: one test case; the process environment is restored after.
struct one_cluster {
  k8s_fake fake{"a"};
  std::string kubeconfig = fake.dir() + "/kubeconfig";
  one_cluster() {
    write_kubeconfig(kubeconfig, {&fake});
    setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  }
  ~one_cluster() { unsetenv("KUBECONFIG"); }
};

} // namespace

TEST_CASE("kubernetes watch: kubectl sees Styx's pods and deletes one - the watch reports it "
          "ended unasked - a watch expired with 410 or cut is followed again after a list") {
  one_cluster c;
  auto& a = c.fake;
  auto& kubeconfig = c.kubeconfig;
  auto cfg = k8s_engine_config({a.region()}, 50);
  auto eng = engine::start(cfg);
  auto done = eng->submit(provision_request::make("w", resources{}).count(6).tag("team", "ml"))
                .wait_for(seconds(60));
  REQUIRE(done);
  REQUIRE(done->ok);

  // kubectl, an independent client, lists them with Styx's labels.
  auto shown = kubectl(kubeconfig, "get pods --show-labels");
  INFO(shown);
  for (auto& r : eng->list()) {
    CHECK(shown.find(r.cloud_id) != std::string::npos);
  }
  CHECK(shown.find("styx.dev/engine=" + eng->engine_id()) != std::string::npos);
  CHECK(shown.find("styx.dev/request=" + done->request.to_string()) != std::string::npos);
  CHECK(shown.find("team=ml") != std::string::npos);

  auto gets_before = a.stat("get");
  auto lists_before = a.stat("list");
  auto victims = eng->list();
  auto kill_one = [&](size_t k) {
    auto id = victims.at(k).cloud_id;
    kubectl(kubeconfig, "delete pod " + id + " --wait=false");
    return eventually([&] {
      auto r = record_of(*eng, id);
      return r && r->state == instance_state::terminated;
    });
  };
  REQUIRE(kill_one(0));
  auto r = record_of(*eng, victims[0].cloud_id);
  CHECK(r->reason == state_reason::user_initiated); // ended, and nobody here asked
  CHECK(r->last_error == "PodDeleted");
  CHECK(a.stat("get") == gets_before);   // seen through the watch: no describe was made
  CHECK(a.stat("list") == lists_before);
  CHECK(stats_of(*eng).relists == 1);

  // The server expires the watch (an ERROR with 410): the provider lists, then watches again,
  // and still sees what happens next.
  a.post("/fake/watches", R"({"end": "expire"})");
  CHECK(eventually([&] { return stats_of(*eng).relists == 2; }));
  REQUIRE(kill_one(1));
  // The stream is cut without a word: listed again after a while.
  a.post("/fake/watches", R"({"end": "drop"})");
  CHECK(eventually([&] { return stats_of(*eng).relists == 3; }));
  REQUIRE(kill_one(2));
  CHECK(a.stat("watches_opened") == 3);
  CHECK(stats_of(*eng).polls_saved > 0);
  CHECK(eng->terminate(selector::everything()) == 3);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  CHECK(a.wait_until([](auto& pods) { return pods.empty(); }));
}

TEST_CASE("kubernetes throttling: injected 429s with Retry-After are retried until every pod "
          "runs") {
  one_cluster c;
  auto& a = c.fake;
  a.faults(R"({"throttle_every": 5, "retry_after": 1})");
  auto eng = engine::start(k8s_engine_config({a.region()}, 50));
  auto done = eng->submit(provision_request::make("t", resources{}).count(30))
                .wait_for(seconds(120));
  REQUIRE(done);
  REQUIRE(done->ok);
  CHECK(a.stat("throttled") > 0);
  CHECK(stats_of(*eng).throttled > 0);
  CHECK(a.pods().size() == 30);
  CHECK(eng->terminate(selector::everything()) == 30);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(120)));
  CHECK(a.wait_until([](auto& pods) { return pods.empty(); }));
}

TEST_CASE("kubernetes python client: lists what Styx made and creates a pod that Styx's "
          "reconcile adopts") {
  one_cluster c;
  auto& a = c.fake;
  auto& kubeconfig = c.kubeconfig;
  auto dir = a.dir() + "/state";
  auto cfg = k8s_engine_config({a.region()}, 50);
  cfg.state_dir = dir;
  std::string engine_id, request;
  std::filesystem::remove_all(dir);
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    auto done = eng->submit(provision_request::make("py", resources{}).count(4))
                  .wait_for(seconds(60));
    REQUIRE(done);
    REQUIRE(done->ok);
    request = done->request.to_string();
  }
  auto listed = pyclient(kubeconfig, "list default styx.dev/engine=" + engine_id);
  INFO(listed);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(listed).get(doc) == simdjson::SUCCESS);
  CHECK(doc["pods"].get_array().size() == 4);
  for (auto p : doc["pods"].get_array()) {
    CHECK(std::string_view(p["phase"]) == "Running");
    CHECK(std::string_view(p["labels"]["styx.dev/request"]) == request);
  }
  // Behind Styx's back one of its pods is deleted and the Python client makes its replacement
  // with the request's labels: Styx adopts it.
  auto lost = std::string(std::string_view(doc["pods"].at(0)["name"]));
  kubectl(kubeconfig, "delete pod " + lost + " --grace-period=0");
  auto made = pyclient(kubeconfig, "create default by-hand styx.dev/engine=" + engine_id
                                     + " styx.dev/request=" + request + " styx.dev/class=small");
  INFO(made);
  REQUIRE(made.find("by-hand") != std::string::npos);
  {
    cfg.reconcile_on_start = false;
    auto eng = engine::start(cfg);
    auto report = eng->reconcile();
    INFO(report.to_json());
    CHECK(report.identified == 1);
    CHECK(report.vanished == 1);
    CHECK(report.terminated_surplus == 0);
    auto adopted = record_of(*eng, "by-hand");
    REQUIRE(adopted);
    CHECK(adopted->request.to_string() == request);
    CHECK(is_live(adopted->state));
    REQUIRE(eng->wait_for_state(selector::everything(), instance_state::running, seconds(30)));
    CHECK(eng->terminate(selector::everything()) == 4);
    REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  }
  CHECK(a.wait_until([](auto& pods) { return pods.empty(); }));
}

TEST_CASE("kubernetes polling: a provider told not to follow pushes polls the pods instead") {
  one_cluster c;
  auto cfg = k8s_engine_config({c.fake.region()}, 50);
  cfg.providers.front().limits.follow_pushes = false;
  auto eng = engine::start(cfg);
  auto done = eng->submit(provision_request::make("p", resources{}).count(12))
                .wait_for(seconds(60));
  REQUIRE(done);
  REQUIRE(done->ok);
  auto s = stats_of(*eng);
  CHECK(s.pushed == 0);
  CHECK(s.relists == 0);
  CHECK(c.fake.stat("watch") == 0);
  CHECK(c.fake.stat("list") >= 2); // the catalog's, then describes by the instance label
  CHECK(eng->terminate(selector::everything()) == 12);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  CHECK(c.fake.wait_until([](auto& pods) { return pods.empty(); }));
}
