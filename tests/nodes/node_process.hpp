#pragma once
// Test fixture: a `styx node` child process on a free loopback port (port 0), insecure, with
// a fast simulated cloud. Reads "listening on HOST:PORT" from its stdout (at most 30 s). The
// destructor (or terminate()) sends SIGTERM and reaps it, so that it saves its simulated
// cloud; kill9() simulates a crash. saved_live_instances() reads what a node's cloud holds
// from its state dir, as the cloud itself saved it.

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "providers/sim/sim_cloud.hpp"

namespace styx::test {

class node_process {
public:
  explicit node_process(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0)
      throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0)
      throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a test that dies takes its nodes with it
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> all{STYX_BINARY, "node"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = ::fdopen(out[0], "r");
    char line[512];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    pollfd ready{out[0], POLLIN, 0};
    while (std::chrono::steady_clock::now() < deadline && ::poll(&ready, 1, 100) >= 0) {
      if ((ready.revents & (POLLIN | POLLHUP)) == 0)
        continue;
      if (std::fgets(line, sizeof line, stdout_) == nullptr)
        break;
      std::string s{line};
      auto at = s.find("listening on ");
      if (at == std::string::npos)
        continue;
      auto colon = s.rfind(':');
      port_ = static_cast<uint16_t>(std::stoi(s.substr(colon + 1)));
      return;
    }
    ::kill(pid_, SIGKILL); // exited already, or mute for 30 s
    reap();
    throw std::runtime_error("styx node did not start (status " + std::to_string(status_) + ")");
  }

  ~node_process() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGTERM);
      reap();
    }
    if (stdout_ != nullptr)
      std::fclose(stdout_);
  }

  uint16_t port() const { return port_; }

  void kill9() {
    ::kill(pid_, SIGKILL);
    reap();
  }

  /// SIGTERM, then reaps it: the node drains and saves its simulated cloud.
  void terminate() {
    if (reaped_)
      return;
    ::kill(pid_, SIGTERM);
    reap();
  }

  /// Sends a signal (SIGSTOP freezes the node, SIGCONT thaws it).
  void signal(int sig) { ::kill(pid_, sig); }

  /// The exit status after reaping; -1 while running.
  int status() const { return status_; }

private:
  void reap() {
    int st = 0;
    ::waitpid(pid_, &st, 0);
    reaped_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }

  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  uint16_t port_ = 0;
  bool reaped_ = false;
  int status_ = -1;
};

/// The live instances of the simulated cloud saved in a node's `state_dir`, by cloud id.
inline std::map<std::string, cloud_instance> saved_live_instances(const std::string& state_dir) {
  sim_config cfg = sim_config::unlimited();
  cfg.state_file = state_dir + "/sim-cloud.json";
  system_clock clk;
  sim_cloud cloud{cfg, clk};
  std::string err;
  if (!cloud.load(&err))
    throw std::runtime_error("cannot read " + cfg.state_file + ": " + err);
  std::map<std::string, cloud_instance> live;
  for (auto& ci : cloud.all())
    if (is_live(ci.state))
      live.emplace(ci.cloud_id, ci);
  return live;
}

} // namespace styx::test
