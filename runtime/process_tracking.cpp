// The process manager's knowledge of its processes: which are ours (pid and start time),
// how each is now (/proc, reaping our own children through their pidfds), the SIGKILL after
// the grace period, and the registry (load with recovery, save). See process_manager.hpp.

#include <cerrno>
#include <csignal>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/local_registry.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/process_manager_impl.hpp"

namespace styx {

namespace {

using steady = std::chrono::steady_clock;
using process_detail::wall_ms;

constexpr auto forget_after = std::chrono::hours(1); // ended entries are kept this long

int open_pidfd(int pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void) pid;
  return -1;
#endif
}

/// Our child `pid` has exited and is not reaped yet.
bool exited_unreaped(int pid, bool* not_ours) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    *not_ours = errno == ECHILD;
    return false;
  }
  *not_ours = false;
  return info.si_pid == pid;
}

} // namespace

// -- identity and exits ---------------------------------------------------------------

void process_manager::impl::watch(entry& e) {
  e.pidfd = open_pidfd(e.fact.pid);
  if (e.pidfd < 0)
    return; // polled instead (poll_unwatched)
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = e.pidfd;
  ::epoll_ctl(epfd, EPOLL_CTL_ADD, e.pidfd, &ev);
  key_of_pidfd[e.pidfd] = e.fact.key;
}

void process_manager::impl::unwatch(entry& e) {
  if (e.pidfd < 0)
    return;
  ::epoll_ctl(epfd, EPOLL_CTL_DEL, e.pidfd, nullptr);
  key_of_pidfd.erase(e.pidfd);
  ::close(e.pidfd);
  e.pidfd = -1;
}

void process_manager::impl::finish(entry& e, std::string note) {
  e.fact.status = process_status::ended;
  e.fact.note = std::move(note);
  e.ended_at = wall_ms();
  e.kill_at.reset();
  unwatch(e);
  dirty = true;
}

/// Learns where `e` is now: reaps it if it is our exited child, ends it if its pid is gone
/// or another process's, else reads running or stopped from /proc.
void process_manager::impl::check(entry& e) {
  auto& f = e.fact;
  if (f.status == process_status::ended || f.pid <= 0)
    return;
  if (e.child) {
    bool not_ours = false;
    if (exited_unreaped(f.pid, &not_ours)) {
      ::kill(-f.pgid, SIGKILL); // what is left of its group; the zombie holds the group id
      int status = 0;
      ::waitpid(f.pid, &status, 0);
      f.exit_known = true;
      f.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
      f.exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      finish(e, {});
      return;
    }
    if (not_ours)
      e.child = false; // reaped by someone else: only /proc can tell now
  }
  auto st = read_proc_stat(f.pid);
  if (!st)
    finish(e, "ended; its exit status is unknown (it was not this engine's child: adopted "
              "after a restart)");
  else if (st->start_time != f.start_time)
    finish(e, "ended; pid " + std::to_string(f.pid)
                + " now belongs to another process (its start time differs), which was "
                  "left alone");
  else if (st->state == 'Z')
    finish(e, "ended; its exit status is unknown (a zombie of another parent)");
  else
    f.status = st->state == 'T' || st->state == 't' ? process_status::stopped
                                                    : process_status::running;
}

/// Signals `e`'s group, if its leader is still ours (check() first).
bool process_manager::impl::signal_group(entry& e, int sig) {
  check(e);
  if (e.fact.status == process_status::ended)
    return false;
  return ::kill(-e.fact.pgid, sig) == 0;
}

void process_manager::impl::fire_kills() {
  auto now = steady::now();
  for (auto& [key, e] : entries)
    if (e.kill_at && *e.kill_at <= now) {
      e.kill_at.reset();
      signal_group(e, SIGKILL); // the exit comes through its pidfd
    }
}

/// Without pidfds (an old kernel): look at the live ones on every turn.
void process_manager::impl::poll_unwatched() {
  for (auto& [key, e] : entries)
    if (e.pidfd < 0 && e.fact.status != process_status::ended)
      check(e);
}

std::optional<int> process_manager::impl::next_timeout_ms() const {
  std::optional<steady::time_point> next;
  bool unwatched = false;
  for (auto& [key, e] : entries) {
    if (e.kill_at && (!next || *e.kill_at < *next))
      next = e.kill_at;
    unwatched = unwatched || (e.pidfd < 0 && e.fact.status != process_status::ended);
  }
  std::optional<int> ms;
  if (next) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - steady::now());
    ms = static_cast<int>(std::max<int64_t>(0, left.count()) + 1);
  }
  if (unwatched)
    ms = std::min(ms.value_or(250), 250);
  return ms;
}

// -- the registry ---------------------------------------------------------------------

bool process_manager::impl::save(std::string* error) {
  std::vector<registry_entry> out;
  auto horizon = wall_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(
                               forget_after).count();
  for (auto it = entries.begin(); it != entries.end();) {
    auto& e = it->second;
    if (e.fact.status == process_status::ended && e.ended_at < horizon) {
      it = entries.erase(it);
      continue;
    }
    out.push_back(registry_entry{e.fact, e.ended_at});
    ++it;
  }
  dirty = false;
  return save_registry(registry_path, out, error);
}

void process_manager::impl::save_if_dirty() {
  std::string error;
  if (dirty && !save(&error))
    spdlog::error("local: could not write the registry: {}", error);
}

void process_manager::impl::load() {
  std::vector<registry_entry> saved;
  std::string error;
  if (!load_registry(registry_path, &saved, &error))
    throw std::runtime_error("local: " + error);
  for (auto& s : saved) {
    entry e;
    e.fact = std::move(s.fact);
    e.ended_at = s.ended_at;
    auto& f = e.fact;
    if (f.status != process_status::ended && f.pid == 0 && !recover_pid(f)) {
      dirty = true; // spawned never: nothing to find
      continue;
    }
    if (auto st = read_proc_stat(f.pid);
        st && st->start_time == f.start_time && f.status != process_status::ended) {
      bool not_ours = false;
      e.child = exited_unreaped(f.pid, &not_ours) || !not_ours;
    }
    auto key = f.key;
    auto& placed = entries.emplace(key, std::move(e)).first->second;
    check(placed);
    if (placed.fact.status == process_status::ended)
      continue;
    watch(placed);
    if (placed.fact.wish == process_wish::end)
      placed.kill_at = steady::now() + grace;
  }
  save_if_dirty();
}

/// A spawn the registry has no pid of (a kill -9 between spawn and write): its process, by
/// the environment it was started with.
bool process_manager::impl::recover_pid(process_fact& f) {
  for (int pid : processes_with_env("STYX_LOCAL_KEY", f.key)) {
    auto st = read_proc_stat(pid);
    if (!st || st->sid != pid || env_of(pid, "STYX_LOCAL_HOME") != home)
      continue;
    f.pid = f.pgid = pid;
    f.start_time = st->start_time;
    dirty = true;
    return true;
  }
  return false;
}

} // namespace styx
