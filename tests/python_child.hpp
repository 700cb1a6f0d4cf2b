#pragma once
// A Python fake as a child process, for the fixtures that start one (tests/gcp,
// tests/azure and tests/kubernetes fake fixtures): started with its output to /dev/null
// (stderr kept with STYX_FAKE_LOG set), killed by the kernel should the test die first, and
// waited for until it answers HTTP on a loopback port. Header-only.

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/aws/moto_fixture.hpp" // loopback_http

namespace styx::test {

/// Runs `argv` (argv[0] looked up in PATH); returns its pid.
inline pid_t spawn_quiet(std::vector<std::string> argv) {
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      if (getenv("STYX_FAKE_LOG") == nullptr)
        dup2(null, STDERR_FILENO);
    }
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

/// Waits up to 30 s until `pid` answers a GET of `path` on loopback `port`. False when it
/// exited first (then `pid` is -1) or never answered.
inline bool wait_answering(pid_t& pid, int port, const std::string& path) {
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = -1;
      return false;
    }
    if (loopback_http(port, "GET", path).rfind("HTTP/", 0) == 0)
      return true;
    usleep(100'000);
  }
  return false;
}

} // namespace styx::test
