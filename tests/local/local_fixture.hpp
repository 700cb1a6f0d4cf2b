#pragma once
// For the local-cloud tests: a fresh state dir, an engine config whose only cloud is "local"
// (roomy capacity, a short grace period), what /proc says about the processes started for
// that state dir (found by the STYX_LOCAL_HOME their environment carries, never by name), and
// a guard that kills every one of their groups when the test ends, passed or failed.
//
// Thread rules: the test's thread. Lifetimes: the guard outlives the engines of its test
// (declare it first); it removes the state dir last.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "runtime/engine_config.hpp"
#include "runtime/proc_stat.hpp"

namespace styx::test {

class local_dir_guard {
public:
  explicit local_dir_guard(const std::string& name)
    : root_((std::filesystem::temp_directory_path()
             / (name + "-" + std::to_string(::getpid())))
              .string()) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    home_ = std::filesystem::absolute(root_ + "/local").lexically_normal().string();
  }

  ~local_dir_guard() {
    kill_all();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  local_dir_guard(const local_dir_guard&) = delete;
  local_dir_guard& operator=(const local_dir_guard&) = delete;

  const std::string& state_dir() const { return root_; }
  const std::string& home() const { return home_; }

  /// Every live (not zombie) process started for this state dir, their children included.
  std::vector<int> live() const {
    std::vector<int> out;
    for (int pid : processes_with_env("STYX_LOCAL_HOME", home_))
      if (auto st = read_proc_stat(pid); st && st->state != 'Z')
        out.push_back(pid);
    return out;
  }

  /// Those of live() that lead their session: one per instance.
  std::vector<int> leaders() const {
    std::vector<int> out;
    for (int pid : live())
      if (auto st = read_proc_stat(pid); st && st->sid == pid)
        out.push_back(pid);
    return out;
  }

  /// SIGKILL to every group of them, then reaps those that are this process's children.
  /// Done when two looks 20 ms apart find none (a process shows its environment in /proc
  /// a moment after its exec).
  void kill_all() {
    int quiet = 0;
    for (int round = 0; round < 100 && quiet < 2; ++round) {
      auto pids = live();
      for (int pid : pids) {
        if (auto st = read_proc_stat(pid))
          ::kill(-st->pgid, SIGKILL);
        ::kill(pid, SIGKILL);
      }
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      quiet = pids.empty() ? quiet + 1 : 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

private:
  std::string root_;
  std::string home_;
};

/// An engine on the local cloud alone, in `dir`, with room for `cpus` vCPUs.
inline engine_config local_only_config(const std::string& dir, double cpus = 1000,
                                       uint64_t seed = 61) {
  engine_config cfg;
  cfg.state_dir = dir;
  cfg.threads = 2;
  cfg.seed = seed;
  cfg.providers = {provider_spec{"local", {}, {}}};
  cfg.local.cpus = cpus;
  cfg.local.memory_gib = cpus;
  cfg.local.grace = std::chrono::seconds(2);
  return cfg;
}

/// Waits until `pred()` or `limit` passes; the last pred().
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

} // namespace styx::test
