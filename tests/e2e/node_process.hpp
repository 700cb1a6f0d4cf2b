#pragma once
// Test fixture: a `styx node` child process on a free loopback port (port 0), insecure, with
// a fast simulated cloud. Reads "listening on HOST:PORT" from its stdout. The destructor sends
// SIGTERM and reaps it; kill9() simulates a crash.

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

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
    while (std::fgets(line, sizeof line, stdout_) != nullptr) {
      std::string s{line};
      auto at = s.find("listening on ");
      if (at == std::string::npos)
        continue;
      auto colon = s.rfind(':');
      port_ = static_cast<uint16_t>(std::stoi(s.substr(colon + 1)));
      return;
    }
    reap();
    throw std::runtime_error("styx node exited with status " + std::to_string(status_));
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

} // namespace styx::test
