// The local cloud among others, and from the CLI: a request larger than the machine fails
// over to the simulated cloud (a batch that does not fit gets a capacity error; an instance
// larger than the machine fits no local type), and `styx up --provider local --count 8
// --image "python3 -m http.server 0"` brings up 8 servers that a later process finds again
// and `styx down --all` ends, none left.

#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/engine.hpp"
#include "tests/crash_cli.hpp"
#include "tests/local/local_fixture.hpp"
#include "tests/runtime/fast_engine.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string cmdline_of(int pid) {
  auto text = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  for (auto& c : text)
    c = c == '\0' ? ' ' : c;
  return text;
}

} // namespace

TEST_CASE("local: a request larger than the machine fails over to the sim") {
  local_dir_guard dir{"styx-local-failover"};
  auto cfg = fast_config(dir.state_dir());
  provider_spec local{"local", {}, {}};
  cfg.providers.push_back(local);
  cfg.local.cpus = 2; // this machine, as the capacity counts it: 2 vCPUs, 2 GiB
  cfg.local.memory_gib = 2;
  auto eng = engine::start(cfg);

  // 3 x 1 vCPU: the local cloud is cheapest, but the batch does not fit.
  auto spill = eng->submit(provision_request::make("spill", resources{}.cpus(1).memory_gib(1))
                             .count(3))
                 .wait();
  REQUIRE(spill.ok);
  CHECK(spill.running == 3);
  int on_local = 0, on_sim = 0;
  for (auto& r : eng->list(selector::everything())) {
    CHECK(r.state == instance_state::running);
    (r.provider.cloud == "local" ? on_local : on_sim) += 1;
  }
  CHECK(on_local <= 2);
  CHECK(on_sim >= 1);
  CHECK(on_local + on_sim == 3);
  CHECK(static_cast<int>(dir.leaders().size()) == on_local); // the machine agrees

  // One instance larger than the whole machine: no local type fits it.
  auto big = eng->submit(provision_request::make("big", resources{}.cpus(8).memory_gib(4))
                           .count(1))
               .wait();
  REQUIRE(big.ok);
  selector of_big;
  of_big.requests = {big.request};
  for (auto& r : eng->list(of_big))
    CHECK(r.provider.cloud == "sim");
  CHECK(static_cast<int>(dir.leaders().size()) == on_local);

  eng->terminate(selector::everything());
  CHECK(eng->wait_for_state(selector::everything(), instance_state::terminated, seconds(60)));
  CHECK(eventually([&] { return dir.live().empty(); }));
}

TEST_CASE("local cli: styx up of 8 http servers then status refresh from a later process "
          "then down with none left") {
  local_dir_guard dir{"styx-local-cli"};
  ::setenv("PYTHONUNBUFFERED", "1", 1); // so that each server's log says its port at once
  auto scratch = dir.state_dir() + "-scratch";
  std::filesystem::create_directories(scratch);
  auto up = run_styx_captured(dir.state_dir(),
                              {"up", "--provider", "local", "--count", "8", "--image",
                               "python3 -m http.server 0"},
                              scratch);
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  CHECK(up.out.find("8/8 running") != std::string::npos);
  auto leaders = dir.leaders();
  REQUIRE(leaders.size() == 8);
  for (int pid : leaders)
    CHECK(cmdline_of(pid).find("http.server") != std::string::npos);
  // Each serves on a port of its own: its log says which.
  CHECK(eventually([&] {
    int serving = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.home()))
      if (e.path().extension() == ".log"
          && read_text(e.path().string()).find("Serving HTTP") != std::string::npos)
        ++serving;
    return serving == 8;
  }));

  // A later process (the servers are not its children) finds them again.
  auto status = run_styx_captured(dir.state_dir(), {"status", "--refresh"}, scratch);
  CHECK(status.rc == 0);
  CHECK(status.out.find("8 instance(s), 8 running") != std::string::npos);

  auto down = run_styx_captured(dir.state_dir(), {"down", "--all"}, scratch);
  CHECK(down.rc == 0);
  CHECK(eventually([&] { return dir.live().empty(); }));

  // --command is the same as --image; one that exits at once fails with its status.
  auto bad = run_styx_captured(dir.state_dir(),
                               {"up", "--provider", "local", "--command", "exit 3"}, scratch);
  CHECK(bad.rc == 1);
  CHECK((bad.out + bad.err).find("exit status 3") != std::string::npos);

  // A bad capacity setting is one plain line and exit code 2.
  ::setenv("STYX_LOCAL_CPUS", "lots", 1);
  auto wrong = run_styx_captured(dir.state_dir(), {"up", "--provider", "local"}, scratch);
  ::unsetenv("STYX_LOCAL_CPUS");
  CHECK(wrong.rc == 2);
  CHECK(wrong.err == "styx: STYX_LOCAL_CPUS expects a positive number, got 'lots'\n");
  CHECK(dir.leaders().empty());
  std::filesystem::remove_all(scratch);
}
