// Crash safety on Kubernetes: the real CLI (`styx up --provider kubernetes`, a child process)
// makes a fan-out of 300 pods on the fake cluster and is killed with SIGKILL in the middle of
// it; then `styx reconcile` runs, and the fake's own state (not the engine's view) is checked
// against the store (tests/crash_invariants.hpp): every live pod is a store record's, by its
// name (its engine id), no request has more live pods than its count, each pod was created
// once (a retried create is adopted on 409). `styx down --all` then leaves no pod: nothing
// leaked, nothing doubled.

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/crash_cli.hpp"
#include "tests/crash_invariants.hpp"
#include "tests/kubernetes/k8s_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::vector<cloud_live> pods_live(const k8s_fake& fake, const std::string& engine_id) {
  std::vector<cloud_live> out;
  for (auto& p : fake.pods()) {
    auto e = p.labels.find("styx.dev/engine");
    if (e == p.labels.end() || e->second != engine_id || p.deleting)
      continue;
    cloud_live c;
    c.cloud_id = p.name;
    c.request = p.labels["styx.dev/request"];
    c.instance = p.labels["styx.dev/instance"];
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace

TEST_CASE("kubernetes crash: kill -9 in the middle of a fan-out then reconcile - nothing leaked "
          "as the fake's own state shows") {
  k8s_fake fake{"crash", 0.3};
  auto kubeconfig = fake.dir() + "/kubeconfig";
  write_kubeconfig(kubeconfig, {&fake});
  setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  setenv("STYX_KUBE_QPS", "40", 1);
  auto dir = fake.dir() + "/state";
  auto pid = spawn_styx(dir, {"up", "--provider", "kubernetes", "--count", "300", "--name",
                              "crash"});
  bool reached = false;
  for (int i = 0; i < 1000 && !reached; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reached = fake.stat("created") >= 60;
  }
  CHECK(reached);
  ::kill(pid, SIGKILL);
  CHECK(wait_exit(pid) == 128 + SIGKILL);
  auto engine_id = read_engine_id(dir);
  REQUIRE_FALSE(engine_id.empty());
  auto created = fake.stat("created");
  CHECK(created < 300); // killed mid fan-out

  int rc = -1;
  auto report = reconcile_counts(dir, rc);
  CHECK(rc == 0);
  CHECK(report["intents_resolved"] >= 1); // creates whose answer was never recorded
  auto live = pods_live(fake, engine_id);
  auto per_request = check_store_against(dir + "/styx.db", live);
  CHECK(live.size() <= 300);
  CHECK(fake.stat("created") == created); // reconcile made no pod
  for (auto& [rid, n] : per_request)
    CHECK(n <= 300);

  CHECK(run_styx(dir, {"down", "--all"}) == 0);
  CHECK(fake.wait_until([](auto& pods) { return pods.empty(); }));
  unsetenv("KUBECONFIG");
  unsetenv("STYX_KUBE_QPS");
}
