// Processes whose engine is gone meet the same reconcile rules as cloud instances: one that
// carries this engine's tag but belongs to a request the store does not know is an orphan and
// is ended (its group gets SIGTERM); the processes of a live request are adopted and followed.

#include <catch2/catch.hpp>

#include <spawn.h>

#include "runtime/engine.hpp"
#include "runtime/local_registry.hpp"
#include "runtime/reconcile.hpp"
#include "runtime/state_dir.hpp"
#include "tests/local/local_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// `sleep 60` in a session of its own, with the environment a manager would give it.
int spawn_tagged(const std::string& key, const std::string& home) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::string sleep = "/bin/sleep", sixty = "60";
  char* argv[] = {sleep.data(), sixty.data(), nullptr};
  std::string key_var = "STYX_LOCAL_KEY=" + key, home_var = "STYX_LOCAL_HOME=" + home;
  char* envp[] = {key_var.data(), home_var.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, sleep.c_str(), nullptr, &attr, argv, envp) == 0);
  posix_spawnattr_destroy(&attr);
  return pid;
}

} // namespace

TEST_CASE("local reconcile: an orphan process of an unknown request is ended and a live "
          "request's processes are adopted") {
  local_dir_guard dir{"styx-local-orphan"};
  auto cfg = local_only_config(dir.state_dir());
  cfg.reconcile_on_start = false;
  std::string engine_id;
  {
    auto eng = engine::start(cfg);
    engine_id = eng->engine_id();
    auto done = eng->submit(provision_request::make("kept", resources{}).count(2)).wait();
    REQUIRE(done.ok);
  } // the engine goes; its 2 processes stay
  REQUIRE(dir.leaders().size() == 2);

  // A process that carries this engine's tag, of a request no store knows (made by an engine
  // that crashed before its request was recorded, say), added to the registry.
  std::string instance = "7d1b5c55-0000-4000-8000-0000000000aa";
  std::string key = "proc-" + instance;
  int orphan = spawn_tagged(key, dir.home());
  REQUIRE(eventually([&] { return read_proc_stat(orphan).has_value(); }));
  std::vector<registry_entry> entries;
  std::string error;
  REQUIRE(load_registry(dir.home() + "/processes.json", &entries, &error));
  registry_entry e;
  e.fact.key = key;
  e.fact.pid = e.fact.pgid = orphan;
  e.fact.start_time = read_proc_stat(orphan)->start_time;
  e.fact.command = "sleep 60";
  e.fact.cpus = e.fact.memory_gib = 1;
  e.fact.labels = {{"styx:engine", engine_id},
                   {"styx:request", "7d1b5c55-0000-4000-8000-0000000000bb"},
                   {"styx:instance", instance}};
  entries.push_back(e);
  REQUIRE(save_registry(dir.home() + "/processes.json", entries, &error));

  auto eng = engine::start(cfg);
  auto report = eng->reconcile();
  CHECK(report.listed == 3);
  CHECK(report.adopted == 2);
  CHECK(report.terminated_orphans == 1);
  CHECK(eventually([&] {
    auto st = read_proc_stat(orphan);
    return !st || st->state == 'Z';
  }));
  CHECK(dir.leaders().size() == 2); // the kept ones run on
  auto kept = eng->list(selector::everything());
  int running = 0;
  for (auto& r : kept)
    running += r.state == instance_state::running ? 1 : 0;
  CHECK(running == 2);
  eng->terminate(selector::everything());
  CHECK(eventually([&] { return dir.live().empty(); }));
}
