// A process is its (pid, start time): a registry entry whose pid now belongs to another
// process (a recycled pid) is reported ended and that process is never signalled; a manager
// made again in the same process (an engine restart) adopts its live children and still
// learns their exit status; the registry is written atomically as JSON that reads back.

#include <catch2/catch.hpp>

#include <future>
#include <spawn.h>

#include "providers/local/local_api.hpp"
#include "runtime/local_registry.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/process_manager.hpp"
#include "tests/local/local_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

/// The answer of one call, waited for on the test's thread.
api_reply call(local_api& api, api_call c) {
  auto p = std::make_shared<std::promise<api_reply>>();
  auto f = p->get_future();
  api.start(std::move(c), [p](api_reply r) { p->set_value(std::move(r)); });
  REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return f.get();
}

api_call change_call(api_op op, std::string id) {
  api_call c;
  c.op = op;
  c.cloud_ids = {std::move(id)};
  return c;
}

/// `sleep 60` as a child of the test, in a group of its own: not started by any manager.
int spawn_bystander() {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::string sleep = "/bin/sleep", sixty = "60";
  char* argv[] = {sleep.data(), sixty.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, sleep.c_str(), nullptr, &attr, argv, environ) == 0);
  posix_spawnattr_destroy(&attr);
  return pid;
}

/// Kills and reaps the bystander when the test ends, passed or failed.
struct bystander {
  int pid = spawn_bystander();
  ~bystander() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

} // namespace

TEST_CASE("local: a recycled pid is not taken for one of ours and is never signalled") {
  local_dir_guard dir{"styx-local-reuse"};
  bystander other;
  auto st = read_proc_stat(other.pid);
  REQUIRE(st);
  // The registry says one of ours had this pid, started at another time: the pid was reused.
  registry_entry e;
  e.fact.key = "proc-7d1b5c55-0000-4000-8000-000000000001";
  e.fact.pid = e.fact.pgid = other.pid;
  e.fact.start_time = st->start_time + 4242;
  e.fact.command = "sleep infinity";
  e.fact.cpus = e.fact.memory_gib = 1;
  e.fact.labels = {{"styx:instance", "7d1b5c55-0000-4000-8000-000000000001"}};
  std::string error;
  std::filesystem::create_directories(dir.home());
  REQUIRE(save_registry(dir.home() + "/processes.json", {e}, &error));

  process_manager host{dir.home(), std::chrono::milliseconds(200)};
  local_api api{provider_id{"local", "localhost"}, host};
  auto described = call(api, change_call(api_op::describe, e.fact.key));
  REQUIRE(described.instances.size() == 1);
  auto& inst = described.instances[0];
  CHECK(inst.state == instance_state::terminated);
  CHECK(inst.reason == state_reason::cloud_ended);
  CHECK(inst.reason_code.find("now belongs to another process") != std::string::npos);

  auto ended = call(api, change_call(api_op::terminate, e.fact.key));
  REQUIRE(ended.instances.size() == 1);
  CHECK(ended.instances[0].state == instance_state::terminated);
  std::this_thread::sleep_for(std::chrono::milliseconds(600)); // past the grace period
  auto after = read_proc_stat(other.pid);
  REQUIRE(after);
  CHECK(after->state != 'Z'); // never signalled
  CHECK(after->start_time == st->start_time);

  // The registry on disk says it ended, and why.
  std::vector<registry_entry> saved;
  REQUIRE(load_registry(dir.home() + "/processes.json", &saved, &error));
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].fact.status == process_status::ended);
  CHECK(saved[0].fact.note.find("start time differs") != std::string::npos);
}

TEST_CASE("local: a manager made again adopts its live processes and learns how they end") {
  local_dir_guard dir{"styx-local-again"};
  std::string key = "proc-7d1b5c55-0000-4000-8000-000000000002";
  {
    process_manager first{dir.home(), std::chrono::seconds(2)};
    local_api api{provider_id{"local", "localhost"}, first};
    api_call c;
    c.op = api_op::create;
    c.spec.instance_type = "local-1c-1g";
    c.spec.image = "trap 'exit 5' TERM; while true; do sleep 0.05; done";
    create_slot slot;
    static_cast<uuid&>(slot.id) = *uuid::parse("7d1b5c55-0000-4000-8000-000000000002");
    c.slots = {slot};
    auto made = call(api, c);
    REQUIRE_FALSE(made.error);
    REQUIRE(made.instances.size() == 1);
    CHECK(made.instances[0].cloud_id == key);
    CHECK(made.instances[0].state == instance_state::pending);
    auto again = call(api, c); // the same call again: the same process, not a second one
    REQUIRE(again.instances.size() == 1);
    CHECK(dir.leaders().size() == 1);
  } // the engine goes; its process stays
  REQUIRE(dir.leaders().size() == 1);
  int pid = dir.leaders()[0];

  process_manager second{dir.home(), std::chrono::seconds(2)};
  local_api api{provider_id{"local", "localhost"}, second};
  auto seen = call(api, change_call(api_op::describe, key));
  REQUIRE(seen.instances.size() == 1);
  CHECK(seen.instances[0].state == instance_state::running);
  api_call list;
  list.op = api_op::list;
  auto listed = call(api, list);
  CHECK(listed.instances.size() == 1);

  auto stopped = call(api, change_call(api_op::stop, key));
  REQUIRE(stopped.instances.size() == 1);
  CHECK(eventually([&] { return read_proc_stat(pid)->state == 'T'; }));
  CHECK(call(api, change_call(api_op::describe, key)).instances.at(0).state
        == instance_state::stopped);

  // Terminated while stopped: SIGTERM (and SIGCONT) reach it; its trap exits 5, and as its
  // parent still, the manager knows.
  call(api, change_call(api_op::terminate, key));
  CHECK(eventually([&] { return dir.live().empty(); }));
  CHECK(eventually([&] {
    auto r = call(api, change_call(api_op::describe, key));
    return !r.instances.empty() && r.instances[0].state == instance_state::terminated;
  }));
  std::vector<registry_entry> saved;
  std::string error;
  REQUIRE(load_registry(dir.home() + "/processes.json", &saved, &error));
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].fact.exit_known);
  CHECK(saved[0].fact.exit_code == 5);
}

TEST_CASE("local: the registry reads back what it wrote") {
  registry_entry e;
  e.fact.key = "proc-x";
  e.fact.pid = 12;
  e.fact.pgid = 12;
  e.fact.start_time = 987654321;
  e.fact.command = "echo \"quoted\" \\ and\ttab";
  e.fact.labels = {{"k", "v\n"}, {"styx:engine", "e"}};
  e.fact.cpus = 0.125;
  e.fact.memory_gib = 2.5;
  e.fact.wish = process_wish::stop;
  e.fact.status = process_status::ended;
  e.fact.exit_known = true;
  e.fact.exit_signal = 9;
  e.ended_at = 17;
  std::vector<registry_entry> back;
  std::string error;
  REQUIRE(decode_registry(encode_registry({e}), &back, &error));
  REQUIRE(back.size() == 1);
  CHECK(back[0].fact.command == e.fact.command);
  CHECK(back[0].fact.labels == e.fact.labels);
  CHECK(back[0].fact.start_time == e.fact.start_time);
  CHECK(back[0].fact.cpus == 0.125);
  CHECK(back[0].fact.wish == process_wish::stop);
  CHECK(back[0].fact.status == process_status::ended);
  CHECK(back[0].fact.exit_signal == 9);
  CHECK(back[0].ended_at == 17);
  CHECK_FALSE(decode_registry("{\"version\":1,\"processes\":[{\"key\":1}]}", &back, &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("local: a group that ignores SIGTERM is killed after the grace period") {
  local_dir_guard dir{"styx-local-grace"};
  process_manager host{dir.home(), std::chrono::milliseconds(300)};
  local_api api{provider_id{"local", "localhost"}, host};
  api_call c;
  c.op = api_op::create;
  c.spec.instance_type = "local-1c-1g";
  c.spec.image = "trap '' TERM; while true; do sleep 0.05; done"; // its children ignore it too
  create_slot slot;
  static_cast<uuid&>(slot.id) = *uuid::parse("7d1b5c55-0000-4000-8000-000000000003");
  c.slots = {slot};
  auto made = call(api, c);
  REQUIRE(made.instances.size() == 1);
  auto key = made.instances[0].cloud_id;
  std::this_thread::sleep_for(std::chrono::milliseconds(100)); // its trap is set
  auto ended = call(api, change_call(api_op::terminate, key));
  REQUIRE(ended.instances.size() == 1);
  CHECK(ended.instances[0].state == instance_state::terminating);
  CHECK(dir.leaders().size() == 1); // SIGTERM did nothing
  CHECK(eventually([&] { return dir.live().empty(); }, std::chrono::seconds(10)));
  auto after = call(api, change_call(api_op::describe, key));
  REQUIRE(after.instances.size() == 1);
  CHECK(after.instances[0].state == instance_state::terminated);
  std::vector<registry_entry> saved;
  std::string error;
  REQUIRE(load_registry(dir.home() + "/processes.json", &saved, &error));
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].fact.exit_signal == SIGKILL);
}

TEST_CASE("local: a spawn whose pid never reached the registry is found by its environment") {
  local_dir_guard dir{"styx-local-recover"};
  std::filesystem::create_directories(dir.home());
  // As a kill -9 between the spawn and the registry's second write leaves it: the intent
  // (no pid) for one process that runs, and one for a spawn that never happened.
  registry_entry ran, never;
  ran.fact.key = "proc-7d1b5c55-0000-4000-8000-000000000004";
  never.fact.key = "proc-7d1b5c55-0000-4000-8000-000000000005";
  for (auto* e : {&ran, &never}) {
    e->fact.command = "sleep 60";
    e->fact.cpus = e->fact.memory_gib = 1;
  }
  std::string error;
  REQUIRE(save_registry(dir.home() + "/processes.json", {ran, never}, &error));
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::string sleep = "/bin/sleep", sixty = "60";
  char* argv[] = {sleep.data(), sixty.data(), nullptr};
  std::string key_var = "STYX_LOCAL_KEY=" + ran.fact.key, home_var = "STYX_LOCAL_HOME="
                                                                     + dir.home();
  char* envp[] = {key_var.data(), home_var.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, sleep.c_str(), nullptr, &attr, argv, envp) == 0);
  posix_spawnattr_destroy(&attr);
  // posix_spawn returns once the exec began; /proc shows the environment a moment later.
  REQUIRE(eventually([&] { return env_of(pid, "STYX_LOCAL_KEY") == ran.fact.key; }));

  process_manager host{dir.home(), std::chrono::seconds(1)};
  local_api api{provider_id{"local", "localhost"}, host};
  api_call listing;
  listing.op = api_op::list;
  auto listed = call(api, listing);
  REQUIRE(listed.instances.size() == 1); // the spawn that never happened is forgotten
  CHECK(listed.instances[0].cloud_id == ran.fact.key);
  CHECK(listed.instances[0].state == instance_state::running);
  call(api, change_call(api_op::terminate, ran.fact.key));
  CHECK(eventually([&] {
    auto r = call(api, change_call(api_op::describe, ran.fact.key));
    return !r.instances.empty() && r.instances[0].state == instance_state::terminated;
  }));
  std::vector<registry_entry> saved;
  REQUIRE(load_registry(dir.home() + "/processes.json", &saved, &error));
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].fact.pid == pid);
  CHECK(saved[0].fact.exit_known); // still this process's child: reaped here, status known
  CHECK(saved[0].fact.exit_signal == SIGTERM);
}

TEST_CASE("local: a proc file whose read fails reads as short and never throws") {
  // A directory opens but its read() fails (EISDIR), as /proc/PID/stat's does (ESRCH) when the
  // process is reaped between open and read: std::ifstream threw there (CI once saw it from
  // group_members, scanning while the processes of a group ended).
  std::string text;
  REQUIRE_NOTHROW(text = read_proc_file("/proc"));
  CHECK(text.empty());
  CHECK(read_proc_file("/proc/self/no-such-file").empty());
  CHECK(read_proc_file("/proc/self/stat").find(std::to_string(::getpid())) == 0);
  int gone = spawn_bystander();
  ::kill(gone, SIGKILL);
  ::waitpid(gone, nullptr, 0);
  CHECK_NOTHROW(group_members(gone));
  CHECK_FALSE(read_proc_stat(gone).has_value());
}
