// The whole engine on Kubernetes, against two fake clusters: 1000 pods, one in ten of them
// Unschedulable on the first cluster, which fail over to the second; every HTTP request is
// one a provider actor admitted (the one door); the states come from the watch, not polls.
// Then all are deleted, as the fakes' own state shows. Prints the figures of issue #15: API
// calls per pod, watch events against polls saved, the time until all run against the
// client's QPS bound (STYX_K8S_QPS, default 100; client-go's default is 5).

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "runtime/engine.hpp"
#include "runtime/http_engine.hpp"
#include "tests/kubernetes/k8s_fake_fixture.hpp"
#include "tests/kubernetes/k8s_wire.hpp"
#include "tests/one_door.hpp"

using namespace styx;
using namespace styx::test;

namespace {

double bench_qps() {
  auto* env = std::getenv("STYX_K8S_QPS");
  return env != nullptr && *env != '\0' ? std::atof(env) : 100.0;
}

std::map<std::string, int> phases(const std::vector<k8s_seen>& pods) {
  std::map<std::string, int> out;
  for (auto& p : pods)
    ++out[p.phase + (p.deleting ? "+deleting" : "")];
  return out;
}

} // namespace

TEST_CASE("kubernetes engine: 1000 pods - Unschedulable ones fail over to a second cluster - "
          "states from the watch - every request through a provider bucket - all deleted") {
  k8s_fake a{"a"}, b{"b"};
  auto kubeconfig = a.dir() + "/kubeconfig";
  write_kubeconfig(kubeconfig, {&a, &b});
  setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  a.faults(R"({"unschedulable_every": 10})");
  http_engine http;
  counting_k8s_wire wire{http};
  auto qps = bench_qps();
  auto cfg = k8s_engine_config({a.region(), b.region()}, qps);
  cfg.transport = &wire;
  auto eng = engine::start(cfg);
  const int n = std::getenv("STYX_K8S_PODS") ? std::atoi(std::getenv("STYX_K8S_PODS")) : 1000;
  auto t0 = std::chrono::steady_clock::now();
  auto req = provision_request::make("pods", resources{}.cpus(1).memory_gib(2))
               .provider("kubernetes").count(n).tag("team", "ml");
  auto done = eng->submit(req).wait_for(seconds(600));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  auto up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(done->running == n);

  // The clusters' own state: every pod runs, none of the Unschedulable ones is left, and the
  // second cluster holds exactly the replacements of those.
  auto on_a = a.pods(), on_b = b.pods();
  auto unschedulable = a.stat("created") / 10;
  INFO("a: " << a.get("/fake/stats") << " b: " << b.get("/fake/stats"));
  CHECK(static_cast<int64_t>(on_b.size()) == unschedulable);
  CHECK(on_a.size() + on_b.size() == static_cast<size_t>(n));
  CHECK(phases(on_a)["Running"] == static_cast<int>(on_a.size()));
  CHECK(phases(on_b)["Running"] == static_cast<int>(on_b.size()));
  for (auto* pods : {&on_a, &on_b})
    for (auto& p : *pods) {
      CHECK(p.labels.at("styx.dev/engine") == eng->engine_id());
      CHECK(p.labels.at("styx.dev/request") == done->request.to_string());
      CHECK(p.labels.at("styx.dev/class") == "small");
      CHECK(p.labels.at("team") == "ml");
      CHECK(p.name == "styx-" + p.labels.at("styx.dev/instance"));
    }
  std::map<std::string, int> where;
  for (auto& r : eng->list())
    if (r.state == instance_state::running)
      ++where[r.provider.to_string()];
  CHECK(where["kubernetes/" + b.region()] == unschedulable);

  // Figures.
  uint64_t pushed = 0, saved = 0, relists = 0, calls = 0;
  for (auto& s : eng->stats()) {
    pushed += s.pushed;
    saved += s.polls_saved;
    relists += s.relists;
    calls += s.api_calls;
  }
  auto requests = a.stat("requests") + b.stat("requests");
  auto creates = a.stat("create") + b.stat("create");
  // Each cluster's provider has its own bucket (burst 2 x qps, then qps a second): the bound
  // is the busier cluster's requests beyond the burst at qps.
  auto beyond = [&](const k8s_fake& f) {
    return std::max<double>(0, static_cast<double>(f.stat("requests")) - 2 * qps);
  };
  double bound = std::max(beyond(a), beyond(b)) / qps;
  std::cout << "kubernetes fan-out of " << n << " pods (" << unschedulable
            << " Unschedulable on cluster a, failed over to b): all running after " << up_seconds
            << " s; " << requests << " API requests (" << static_cast<double>(requests) / n
            << " per pod; " << creates << " creates, " << a.stat("delete") + b.stat("delete")
            << " deletes, " << a.stat("list") + b.stat("list") << " lists, "
            << a.stat("get") + b.stat("get") << " gets, " << wire.streams() << " watches); "
            << pushed << " watch events, " << saved << " polls saved, " << relists
            << " lists to start watches; QPS " << qps << ": bound " << bound << " s ("
            << up_seconds / bound << " of it)\n";
  CHECK(pushed >= static_cast<uint64_t>(n)); // every pod's Running came from the watch
  CHECK(a.stat("get") + b.stat("get") <= 2 * unschedulable); // describes were not needed

  CHECK(eng->terminate(selector::everything()) == n);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(300)));
  CHECK(a.wait_until([](auto& pods) { return pods.empty(); }));
  CHECK(b.wait_until([](auto& pods) { return pods.empty(); }));
  auto [sent, admitted] = settled_counts(*eng, wire, 0, 0);
  CHECK(sent == admitted);
  CHECK(sent == static_cast<uint64_t>(a.stat("requests") + b.stat("requests")));
  unsetenv("KUBECONFIG");
}
