// The whole engine on Azure, against the fake Resource Manager over HTTPS (its throwaway CA
// trusted through Styx's own CA-bundle setting, verification on): a 500-VM fan-out that fails
// over across zones on capacity errors, then stop (deallocate), start and terminate; every HTTP
// request that reaches Resource Manager or the token endpoint is one a provider actor admitted
// through its buckets (the one door); the Azure SDK for Python lists what Styx made, with its
// tags. Then reconcile against a VM the SDK made for a request: it is adopted.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "runtime/engine.hpp"
#include "runtime/http_engine.hpp"
#include "runtime/reconcile.hpp"
#include "tests/azure/azure_fake_fixture.hpp"
#include "tests/engine_checks.hpp"
#include "tests/one_door.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// Passes every request on to `inner` and counts it. Thread rules: send() and total() may be
/// called from any thread. Lifetimes: `inner` must outlive it.
class counted_wire final : public http_transport {
public:
  explicit counted_wire(http_transport& inner) : inner_(inner) {}
  void send(http_request req, http_handler done) override {
    ++total_;
    inner_.send(std::move(req), std::move(done));
  }
  uint64_t total() const { return total_.load(); }

private:
  http_transport& inner_;
  std::atomic<uint64_t> total_{0};
};

provider_stats stats_of(engine& eng) {
  provider_stats sum;
  for (auto& s : eng.stats()) {
    sum.api_calls += s.api_calls;
    sum.throttled += s.throttled;
    sum.retries += s.retries;
    sum.slowed_by_cloud += s.slowed_by_cloud;
    sum.creates_withdrawn += s.creates_withdrawn;
  }
  return sum;
}

std::map<std::string, int> by_power(const std::vector<azure_seen>& xs) {
  std::map<std::string, int> out;
  for (auto& x : xs)
    ++out[x.power];
  return out;
}

} // namespace

TEST_CASE("azure engine: 500 VMs fail over across zones then deallocate and start and delete - "
          "every request through a provider bucket - seen by the Azure SDK") {
  // Resource Manager's buckets with their refill four times as fast, on both sides (as
  // `styx bench --rate-scale 4`): at the real rates its 2,800 writes and deletes are bound
  // to 3.5 minutes, which this test spent waiting and nothing else.
  constexpr double scale = 4;
  auto cfg = azure_engine_config();
  auto& limits = cfg.azure.limits; // Resource Manager's, which the fake starts with too
  for (auto* b : {&limits.reads, &limits.writes, &limits.deletes})
    b->refill_per_sec *= scale;
  auto flag = [](const bucket_config& b) {
    return std::to_string(static_cast<int>(b.capacity)) + ":"
           + std::to_string(static_cast<int>(b.refill_per_sec));
  };
  azure_fake fake{azure_fake::options{{"--reads", flag(limits.reads), "--writes",
                                       flag(limits.writes), "--deletes", flag(limits.deletes)}}};
  fake.use_env();
  fake.faults(R"({"zone":"1","capacity":100,"stockout":"ZonalAllocationFailed"})");
  http_engine http; // the system's CAs only: the fake's is trusted through STYX_AZURE_CA_BUNDLE
  counted_wire wire{http};
  cfg.transport = &wire;
  auto eng = engine::start(cfg);
  auto t0 = std::chrono::steady_clock::now();
  auto req =
    provision_request::make("fan", resources{}).provider("azure").count(500).tag("team", "ml");
  auto done = eng->submit(req).wait_for(seconds(300));
  REQUIRE(done);
  INFO(done->error);
  REQUIRE(done->ok);
  auto up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(done->running == 500);
  auto stats = stats_of(*eng);
  auto requests = wire.total();
  // The bound: Resource Manager's writes bucket (200, then 40/s) for every PUT, the failed
  // ones included, plus one boot.
  auto puts = fake.stat("virtualMachines.createOrUpdate");
  auto bound = std::max(0.0, (static_cast<double>(puts) - limits.writes.capacity)
                               / limits.writes.refill_per_sec)
               + 0.5;
  std::cout << "azure fan-out of 500 through zone failover: all running after " << up_seconds
            << " s (bound from the writes bucket for its " << puts << " PUTs: " << bound
            << " s); " << stats.api_calls << " API calls (" << stats.api_calls / 500.0
            << " per VM), " << requests << " HTTP requests (" << requests / 500.0
            << " per VM); " << stats.throttled << " throttled, " << stats.slowed_by_cloud
            << " slowed by the rate-limit headers; " << stats.creates_withdrawn
            << " creates withdrawn from the full zone before they went out\n";
  std::map<std::string, int> zones;
  for (auto& r : eng->list()) {
    ++zones[r.zone];
    CHECK(r.state == instance_state::running);
  }
  CHECK(zones["1"] >= 1);
  CHECK(zones["1"] <= 100); // the rest failed over to zones 2 and 3
  CHECK(zones["2"] + zones["3"] >= 400);
  auto failed_allocations = fake.stat("create_ZonalAllocationFailed", "errors");
  CHECK(failed_allocations >= 1);
  // Zone 1 was blocklisted at its first failure: what still waited for the writes bucket
  // (200 at once, of 500) was placed elsewhere without its PUT.
  CHECK(stats.creates_withdrawn >= 1);

  // The SDK, an independent client, sees the same 500 with Styx's tags.
  auto seen = sdk_vms(fake, "styx:engine=" + eng->engine_id());
  REQUIRE(seen.size() == 500);
  for (auto& s : seen) {
    CHECK(s.power == "running");
    CHECK(s.size == "Standard_B1s");
    CHECK(s.tags.at("styx:request") == done->request.to_string());
    CHECK(s.tags.at("team") == "ml");
    CHECK(s.name.rfind("styx-", 0) == 0);
    CHECK(s.tags.at("styx:instance") == s.name.substr(5));
  }
  // Nothing is left of the failed allocations: Styx deleted the VMs Azure kept.
  CHECK(fake.wait_until([](auto& all) { return all.size() == 500; }));

  CHECK(eng->stop(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::stopped, seconds(180)));
  CHECK(by_power(sdk_vms(fake, "styx:engine=" + eng->engine_id()))["deallocated"] == 500);
  CHECK(eng->start_instances(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::running, seconds(180)));
  CHECK(eng->terminate(selector::everything()) == 500);
  REQUIRE(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(180)));
  // Each VM at least once; a call that a 429 interrupted goes again whole (its parts are
  // idempotent).
  CHECK(fake.stat("virtualMachines.deallocate") >= 500);
  CHECK(fake.stat("virtualMachines.start") >= 500);
  CHECK(fake.stat("virtualMachines.delete") >= 500 + failed_allocations); // Azure kept those
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  CHECK(sdk_vms(fake).empty());
  auto [sent, admitted] = settled_counts(*eng, wire, 0, 0);
  CHECK(sent == admitted);
}

TEST_CASE("azure engine: reconcile adopts a VM the Azure SDK made for a request and ends an "
          "orphan") {
  azure_fake fake;
  fake.use_env();
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-azure-reconcile-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  auto cfg = azure_engine_config();
  cfg.state_dir = dir;
  std::string engine_id, request, lost;
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    auto done = eng->submit(provision_request::make("rec", resources{}).provider("azure").count(3))
                  .wait_for(seconds(60));
    REQUIRE(done);
    REQUIRE(done->ok);
    request = done->request.to_string();
    lost = eng->list().front().cloud_id;
  }
  // Behind Styx's back: one of its VMs is deleted and the SDK makes its replacement with the
  // request's tags; the SDK also makes one for a request the store never knew.
  INFO(azure_sdk(fake, "delete " + lost));
  auto tags = "styx:engine=" + engine_id + " styx:request=" + request;
  INFO(azure_sdk(fake, "create by-hand 3 Standard_B1s " + fake.subnet() + " " + tags));
  INFO(azure_sdk(fake, "create stray 3 Standard_B1s " + fake.subnet() + " styx:engine="
                         + engine_id + " styx:request=00000000-0000-4000-8000-0000000000ab"));
  REQUIRE(sdk_vms(fake).size() == 4);
  check_reconcile_adopts(cfg, "by-hand", request);
  CHECK(fake.wait_until([](auto& all) {
    for (auto& vm : all)
      if (vm.name == "stray")
        return false;
    return true;
  }));
  std::set<std::string> names;
  for (auto& s : sdk_vms(fake, "styx:engine=" + engine_id))
    names.insert(s.name);
  CHECK(names.count("stray") == 0);
  CHECK(names.count("by-hand") == 1);
  CHECK(names.size() == 3);
  std::filesystem::remove_all(dir);
}
