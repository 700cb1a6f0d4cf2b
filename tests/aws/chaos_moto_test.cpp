// Chaos against moto: the real CLI (`styx up --provider aws`, child processes) provisions
// several requests through tests/fixtures/chaos_proxy.py, which throttles 10 % of the calls,
// answers 5xx to 5 %, resets 2 % of the connections, holds 1 % without an answer, delays some
// and cuts or garbles answers (half of the 5xx, resets and holds after moto did the work: the
// answer is lost, not the call). One of the `up`s is killed with SIGKILL at a seeded point.
// Then `styx reconcile` and `up --resume` run under the same chaos, and a last reconcile runs
// with the proxy quiet. EC2's own view (boto3, not the engine's) must then show:
//   - every instance of every recorded request live exactly once: none lost, none duplicated
//     (moto ignores client tokens, so a create whose answer was lost launches twice and
//     reconcile must end the surplus copy);
//   - the store and EC2 agree (tests/crash_invariants.hpp), nothing left requested;
//   - every request finished (done or resumed), with its count running; every record running,
//     failed with a reason, or terminated (a surplus copy reconcile ended).
// The seed is printed; STYX_CHAOS_SEED replays it. STYX_CHAOS_REQUESTS, STYX_CHAOS_COUNT and
// STYX_CHAOS_HANG scale it (bench/chaos.sh runs 10,000 instances).

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "runtime/store.hpp"
#include "tests/aws/moto_cloud_view.hpp"
#include "tests/crash_cli.hpp"

using namespace styx;
using namespace styx::test::moto_view;

namespace {

int env_int(const char* name, int fallback) {
  auto* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

/// tests/fixtures/chaos_proxy.py in front of `upstream`, on a free loopback port; killed by
/// the destructor (and by the kernel should the test die first).
class chaos_proxy {
public:
  chaos_proxy(const std::string& upstream, uint64_t seed, int hang_seconds) {
    port_ = test::free_loopback_port();
    auto script = test::fixture_path("chaos_proxy.py");
    auto port = std::to_string(port_);
    auto seed_text = std::to_string(seed);
    auto hang = std::to_string(hang_seconds);
    auto up = upstream.substr(0, upstream.size() - 1); // without the trailing '/'
    pid_ = ::fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::execlp("python3", "python3", script.c_str(), "--port", port.c_str(), "--upstream",
               up.c_str(), "--seed", seed_text.c_str(), "--hang", hang.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (test::loopback_http(port_, "GET", "/chaos/stats").rfind("HTTP/", 0) == 0)
        return;
      ::usleep(100'000);
    }
    test::stop_child(pid_);
    throw std::runtime_error("chaos_proxy.py did not answer within 30 s");
  }
  ~chaos_proxy() { test::stop_child(pid_); }
  chaos_proxy(const chaos_proxy&) = delete;
  chaos_proxy& operator=(const chaos_proxy&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  void quiet() const { test::loopback_http(port_, "POST", "/chaos/off"); }
  std::string stats() const {
    return test::http_body(test::loopback_http(port_, "GET", "/chaos/stats"));
  }

private:
  int port_ = 0;
  pid_t pid_ = -1;
};

std::vector<std::string> up_args(int count, const std::string& name) {
  return {"up", "--provider", "aws", "--region", region, "--count", std::to_string(count),
          "--name", name};
}

} // namespace

TEST_CASE("chaos moto: faults on every kind of call and a kill -9 lose and duplicate nothing") {
  REQUIRE(std::filesystem::exists(STYX_BINARY)); // build the styx target first
  uint64_t seed = 20261202;
  if (auto* env = std::getenv("STYX_CHAOS_SEED"); env != nullptr && *env != '\0')
    seed = std::strtoull(env, nullptr, 10);
  const int requests = env_int("STYX_CHAOS_REQUESTS", 4);
  const int count = env_int("STYX_CHAOS_COUNT", 150);
  std::cout << "chaos moto test seed " << seed << " (STYX_CHAOS_SEED replays it): " << requests
            << " request(s) of " << count << std::endl;
  std::mt19937_64 rng{seed};
  idle_moto moto;
  chaos_proxy proxy{moto.endpoint(), seed, env_int("STYX_CHAOS_HANG", 6)};
  test::use_aws_env(proxy.endpoint());
  auto dir = temp_dir("styx-chaos-moto");
  auto t0 = std::chrono::steady_clock::now();
  auto step = [&](const std::string& what) {
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "  [" << s << " s] " << what << std::endl;
  };

  auto victim = static_cast<int>(rng() % static_cast<uint64_t>(requests));
  auto delay = std::uniform_int_distribution<int>{500, 6000}(rng);
  for (int i = 0; i < requests; ++i) {
    auto log = dir + ".up" + std::to_string(i);
    auto args = up_args(count, "c" + std::to_string(i));
    args.insert(args.begin(), "-v");
    auto pid = test::spawn_styx(dir, args, log + ".out", log + ".err");
    if (i == victim) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      ::kill(pid, SIGKILL);
    }
    int rc = test::wait_exit_for(pid, std::chrono::seconds(600));
    INFO("request " << i << " exit " << rc << ", seed " << seed);
    CHECK((i == victim ? (rc == 0 || rc == 128 + SIGKILL) : rc == 0));
    step("up " + std::to_string(i) + (i == victim ? " (killed)" : "") + ": exit "
         + std::to_string(rc));
  }
  moto.wait_idle();

  int rc = 0;
  test::reconcile_counts(dir, rc);
  CHECK(rc == 0);
  step("reconciled under chaos: " + test::read_text(dir + ".reconcile.json"));
  auto interrupted = test::interrupted_requests(dir + "/styx.db");
  for (auto& id : interrupted)
    CHECK(test::wait_exit_for(test::spawn_styx(dir, {"up", "--resume", id}),
                              std::chrono::seconds(600))
          == 0);
  step("reconciled and resumed " + std::to_string(interrupted.size()) + " under chaos");
  auto faults = proxy.stats();
  proxy.quiet();
  moto.wait_idle();
  auto counts = test::reconcile_counts(dir, rc);
  REQUIRE(rc == 0);
  step("reconciled with the proxy quiet: " + test::read_text(dir + ".reconcile.json"));

  auto live = check_invariants(dir, moto.endpoint());
  test::check_nothing_requested(dir + "/styx.db");
  int expected = test::check_chaos_records(dir + "/styx.db", count);
  int total = 0;
  for (auto& [rid, n] : live)
    total += n;
  CHECK(total == expected); // none lost
  std::set<std::pair<std::string, int>> slots; // none launched twice and kept
  for (auto& ci : ec2_all(moto.endpoint())) {
    INFO("live " << ci.id << " token " << ci.client_token << " index " << ci.launch_index);
    CHECK(slots.insert({ci.client_token, ci.launch_index}).second);
  }
  std::cout << "chaos moto test: " << total << " instances live once each; proxy " << faults
            << "; reconcile ended " << counts["terminated_surplus"] << " surplus" << std::endl;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(faults).get(doc) == simdjson::SUCCESS);
  int64_t injected = 0;
  for (auto field : doc["faults"].get_object())
    injected += int64_t(field.value);
  CHECK(injected > 0); // the run met chaos

  REQUIRE(test::wait_exit_for(test::spawn_styx(dir, {"down", "--all"}), std::chrono::seconds(600))
          == 0);
  CHECK(check_invariants(dir, moto.endpoint()).empty());
  if (env_int("STYX_CHAOS_KEEP", 0) != 0) {
    std::cout << "kept " << dir << std::endl;
    return;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".reconcile.json");
}
