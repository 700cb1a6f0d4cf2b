#include "runtime/process_manager.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/proc_stat.hpp"
#include "runtime/process_manager_impl.hpp"
#include "runtime/process_spawn.hpp"

namespace styx {

namespace {

using steady = std::chrono::steady_clock;
using process_detail::wall_ms;

std::string format_gib(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

} // namespace

// -- requests -------------------------------------------------------------------------

process_reply process_manager::impl::change(const process_request& req) {
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

void process_manager::impl::look(entry& e, process_reply& r) {
  check(e);
  r.facts.push_back(e.fact);
  if (e.fact.status != process_status::ended && !e.fact.seen_up) {
    e.fact.seen_up = true;
    dirty = true;
  }
}

process_reply process_manager::impl::handle(const process_request& req) {
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

void process_manager::impl::run() {
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
