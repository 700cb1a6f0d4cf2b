#include "runtime/process_manager.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/local_registry.hpp"
#include "runtime/proc_stat.hpp"
#include "runtime/process_spawn.hpp"

namespace styx {

namespace {

using steady = std::chrono::steady_clock;

constexpr auto forget_after = std::chrono::hours(1); // ended entries are kept this long

unix_ms wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

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

std::string format_gib(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

} // namespace

struct process_manager::impl {
  struct entry {
    process_fact fact;
    unix_ms ended_at = 0;
    int pidfd = -1;
    bool child = false; // a child of this process: reaped here, its exit status known
    std::optional<steady::time_point> kill_at;
  };

  std::string dir;
  std::string home; // dir, absolute: the STYX_LOCAL_HOME of its processes
  std::string registry_path;
  duration grace;
  machine_size size;

  std::mutex mtx;
  std::deque<std::pair<process_request, process_handler>> queue;
  bool stopping = false;
  int epfd = -1;
  int wakefd = -1;
  std::thread thread;

  // The manager's thread only (the constructor's before it starts).
  std::map<std::string, entry> entries;
  std::unordered_map<int, std::string> key_of_pidfd;
  bool dirty = false;

  // -- identity and exits ---------------------------------------------------------------

  void watch(entry& e) {
    e.pidfd = open_pidfd(e.fact.pid);
    if (e.pidfd < 0)
      return; // polled instead (poll_unwatched)
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = e.pidfd;
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, e.pidfd, &ev);
    key_of_pidfd[e.pidfd] = e.fact.key;
  }

  void unwatch(entry& e) {
    if (e.pidfd < 0)
      return;
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, e.pidfd, nullptr);
    key_of_pidfd.erase(e.pidfd);
    ::close(e.pidfd);
    e.pidfd = -1;
  }

  void finish(entry& e, std::string note) {
    e.fact.status = process_status::ended;
    e.fact.note = std::move(note);
    e.ended_at = wall_ms();
    e.kill_at.reset();
    unwatch(e);
    dirty = true;
  }

  /// Learns where `e` is now: reaps it if it is our exited child, ends it if its pid is gone
  /// or another process's, else reads running or stopped from /proc.
  void check(entry& e) {
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
  bool signal_group(entry& e, int sig) {
    check(e);
    if (e.fact.status == process_status::ended)
      return false;
    return ::kill(-e.fact.pgid, sig) == 0;
  }

  void fire_kills() {
    auto now = steady::now();
    for (auto& [key, e] : entries)
      if (e.kill_at && *e.kill_at <= now) {
        e.kill_at.reset();
        signal_group(e, SIGKILL); // the exit comes through its pidfd
      }
  }

  /// Without pidfds (an old kernel): look at the live ones on every turn.
  void poll_unwatched() {
    for (auto& [key, e] : entries)
      if (e.pidfd < 0 && e.fact.status != process_status::ended)
        check(e);
  }

  std::optional<int> next_timeout_ms() const {
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

  bool save(std::string* error) {
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

  void save_if_dirty() {
    std::string error;
    if (dirty && !save(&error))
      spdlog::error("local: could not write the registry: {}", error);
  }

  void load() {
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
  bool recover_pid(process_fact& f) {
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

  // -- requests -------------------------------------------------------------------------

  process_reply spawn(const process_request& req);

  process_reply change(const process_request& req) {
    process_reply r;
    for (auto& key : req.keys) {
      auto it = entries.find(key);
      if (it == entries.end()) {
        r.unknown.push_back(key);
        continue;
      }
      auto& e = it->second;
      auto wish = req.op == process_op::stop     ? process_wish::stop
                  : req.op == process_op::resume ? process_wish::resume
                                                 : process_wish::end;
      bool sent = false;
      if (wish == process_wish::stop)
        sent = signal_group(e, SIGSTOP);
      else if (wish == process_wish::resume)
        sent = signal_group(e, SIGCONT);
      else if ((sent = signal_group(e, SIGTERM)))
        ::kill(-e.fact.pgid, SIGCONT); // a stopped group must run to handle its SIGTERM
      if (sent) {
        if (wish == process_wish::end && !e.kill_at)
          e.kill_at = steady::now() + grace;
        dirty = dirty || e.fact.wish != wish;
        e.fact.wish = wish;
      }
      r.facts.push_back(e.fact);
    }
    return r;
  }

  void look(entry& e, process_reply& r) {
    check(e);
    r.facts.push_back(e.fact);
    if (e.fact.status != process_status::ended && !e.fact.seen_up) {
      e.fact.seen_up = true;
      dirty = true;
    }
  }

  process_reply handle(const process_request& req) {
    switch (req.op) {
      case process_op::spawn: return spawn(req);
      case process_op::stop:
      case process_op::resume:
      case process_op::end: return change(req);
      case process_op::inspect: {
        process_reply r;
        for (auto& key : req.keys) {
          if (auto it = entries.find(key); it != entries.end())
            look(it->second, r);
          else
            r.unknown.push_back(key);
        }
        return r;
      }
      case process_op::list: {
        process_reply r;
        for (auto& [key, e] : entries)
          look(e, r);
        return r;
      }
    }
    return {};
  }

  void run() {
    epoll_event evs[64];
    for (;;) {
      auto timeout = next_timeout_ms();
      int n = ::epoll_wait(epfd, evs, 64, timeout ? *timeout : -1);
      for (int i = 0; i < n; ++i) {
        int fd = evs[i].data.fd;
        if (fd == wakefd) {
          uint64_t x = 0;
          [[maybe_unused]] auto got = ::read(wakefd, &x, sizeof x);
        } else if (auto k = key_of_pidfd.find(fd); k != key_of_pidfd.end()) {
          check(entries.at(k->second)); // it exited: reaped, its group killed
        }
      }
      fire_kills();
      poll_unwatched();
      std::deque<std::pair<process_request, process_handler>> work;
      bool stop = false;
      {
        std::lock_guard<std::mutex> guard{mtx};
        work.swap(queue);
        stop = stopping;
      }
      for (auto& [req, done] : work) {
        auto reply = handle(req);
        save_if_dirty(); // what the answer says is in the registry first
        done(std::move(reply));
      }
      save_if_dirty();
      if (stop)
        return;
    }
  }
};

process_reply process_manager::impl::spawn(const process_request& req) {
  process_reply r;
  std::vector<const process_launch*> fresh;
  double cpus = 0, memory = 0;
  for (auto& l : req.launches) {
    if (auto it = entries.find(l.key); it != entries.end()) { // this very call, again
      check(it->second);
      r.facts.push_back(it->second.fact);
      continue;
    }
    fresh.push_back(&l);
    cpus += l.cpus;
    memory += l.memory_gib;
  }
  if (fresh.empty())
    return r;
  double used_cpus = 0, used_memory = 0;
  for (auto& [key, e] : entries)
    if (e.fact.status != process_status::ended) {
      used_cpus += e.fact.cpus;
      used_memory += e.fact.memory_gib;
    }
  constexpr double slack = 1e-9;
  if (used_cpus + cpus > req.cpu_limit + slack
      || used_memory + memory > req.memory_limit_gib + slack) {
    r.facts.clear();
    r.failure = process_failure::no_room;
    r.error = std::to_string(fresh.size()) + " process(es) need " + format_gib(cpus)
              + " vCPUs and " + format_gib(memory) + " GiB; this machine has "
              + format_gib(req.cpu_limit - used_cpus) + " of " + format_gib(req.cpu_limit)
              + " vCPUs and " + format_gib(req.memory_limit_gib - used_memory) + " of "
              + format_gib(req.memory_limit_gib) + " GiB free";
    return r;
  }
  auto now = wall_ms();
  for (auto* l : fresh) { // the intents first: a crash after the spawn finds them by env
    entry e;
    e.fact.key = l->key;
    e.fact.command = l->command;
    e.fact.labels = l->labels;
    e.fact.cpus = l->cpus;
    e.fact.memory_gib = l->memory_gib;
    e.fact.launched_at = now;
    entries.emplace(l->key, std::move(e));
  }
  std::string error;
  if (!save(&error)) {
    for (auto* l : fresh)
      entries.erase(l->key);
    r.facts.clear();
    r.failure = process_failure::io_error;
    r.error = "could not write the registry: " + error;
    return r;
  }
  for (size_t i = 0; i < fresh.size(); ++i) {
    auto& l = *fresh[i];
    auto env = l.env;
    env.emplace_back("STYX_LOCAL_KEY", l.key);
    env.emplace_back("STYX_LOCAL_HOME", home);
    auto s = spawn_process(l.command, dir + "/" + l.key + ".log", env);
    auto& e = entries.at(l.key);
    if (s.pid == 0) { // the batch is refused whole: what it started ends at once
      for (size_t j = 0; j < i; ++j) {
        auto& done = entries.at(fresh[j]->key);
        ::kill(-done.fact.pgid, SIGKILL);
        ::waitpid(done.fact.pid, nullptr, 0);
        unwatch(done);
      }
      for (auto* x : fresh)
        entries.erase(x->key);
      save(&error);
      r.facts.clear();
      r.failure = process_failure::spawn_failed;
      r.error = std::string("could not start a process: ") + std::strerror(s.error);
      return r;
    }
    e.fact.pid = e.fact.pgid = s.pid;
    if (auto st = read_proc_stat(s.pid)) // our child: there until we reap it
      e.fact.start_time = st->start_time;
    e.child = true;
    watch(e);
  }
  if (!save(&error)) // the intents stay: a later engine finds the pids by env
    spdlog::error("local: could not write the registry: {}", error);
  for (auto* l : fresh)
    r.facts.push_back(entries.at(l->key).fact);
  return r;
}

process_manager::process_manager(std::string dir, duration grace)
  : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("local: cannot create " + dir + ": " + ec.message());
  m.dir = dir;
  m.home = std::filesystem::absolute(dir).lexically_normal().string();
  m.registry_path = dir + "/processes.json";
  m.grace = grace;
  m.size.cpus = static_cast<double>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  m.size.memory_gib = static_cast<double>(::sysconf(_SC_PHYS_PAGES))
                      * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024 * 1024);
  m.epfd = ::epoll_create1(EPOLL_CLOEXEC);
  m.wakefd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m.epfd < 0 || m.wakefd < 0)
    throw std::runtime_error(std::string("local: epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = m.wakefd;
  ::epoll_ctl(m.epfd, EPOLL_CTL_ADD, m.wakefd, &ev);
  m.load(); // throws on a malformed registry
  m.thread = std::thread([&m] { m.run(); });
}

process_manager::~process_manager() {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> guard{m.mtx};
    m.stopping = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] auto put = ::write(m.wakefd, &one, sizeof one);
  if (m.thread.joinable())
    m.thread.join();
  for (auto& [key, e] : m.entries)
    if (e.pidfd >= 0)
      ::close(e.pidfd);
  ::close(m.wakefd);
  ::close(m.epfd);
}

void process_manager::submit(process_request req, process_handler done) {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> guard{m.mtx};
    if (!m.stopping) {
      m.queue.emplace_back(std::move(req), std::move(done));
      uint64_t one = 1;
      [[maybe_unused]] auto put = ::write(m.wakefd, &one, sizeof one);
      return;
    }
  }
  process_reply r;
  r.failure = process_failure::stopped;
  r.error = "the local process manager is shutting down";
  done(std::move(r));
}

machine_size process_manager::machine() const {
  return impl_->size;
}

const std::string& process_manager::dir() const {
  return impl_->dir;
}

} // namespace styx
