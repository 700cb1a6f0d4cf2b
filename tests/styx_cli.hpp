#pragma once
// The styx binary run by a CLI test with its stdout and stderr together (tests/gcp/
// gcp_cli_test.cpp, tests/kubernetes/k8s_cli_test.cpp). Header-only; Catch2's REQUIRE.

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

namespace styx::test {

struct styx_run {
  int rc = -1;
  std::string out; // stdout and stderr
};

/// `cmd` run by sh, with what it writes to stdout (add 2>&1 for stderr too) and its exit code.
inline styx_run shell_run(const std::string& cmd) {
  styx_run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    r.out.append(buf, n);
  int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

/// The styx binary with `args` (--state-dir `dir`), stdout and stderr together.
inline styx_run styx_cli(const std::string& dir, const std::string& args) {
  return shell_run(std::string{STYX_BINARY} + " --state-dir " + dir + " " + args + " 2>&1");
}

} // namespace styx::test
