#pragma once
// The styx CLI as a child process, for the crash tests (tests/e2e/crash_test.cpp,
// tests/aws/crash_moto_test.cpp): run it, kill it, wait for it. Header-only.
//
//   auto pid = styx::test::spawn_styx(dir, {"up", "--count", "1000"});  // --state-dir dir
//   ::kill(pid, SIGKILL);
//   int rc = styx::test::wait_exit(pid);  // exit code, or 128 + the signal
//   auto counts = styx::test::reconcile_counts(dir, rc);  // `styx reconcile --json`
//
//   int rc = styx::test::wait_exit_for(pid, std::chrono::seconds(60)); // -1: killed, too slow
//   auto r = styx::test::run_styx_captured(dir, {"down", "--all"}, scratch); // r.rc, r.out, r.err
//
// The child runs with STYX_SIM_PROFILE=fast (short simulated delays, no client-side rate
// limits for any provider) unless the test set another, stdout to `out` and stderr to `err`
// (empty: /dev/null).

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

namespace styx::test {

inline pid_t spawn_styx(const std::string& dir, const std::vector<std::string>& args,
                        const std::string& out = {}, const std::string& err = {}) {
  std::vector<std::string> argv{STYX_BINARY, "--state-dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::cout.flush(); // the child would flush a copy of what is buffered
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlives a test that died
    ::setenv("STYX_SIM_PROFILE", "fast", 0); // unless the test chose one (chaos)
    int fd = ::open(out.empty() ? "/dev/null" : out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int errors = ::open(err.empty() ? "/dev/null" : err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                        0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(errors, STDERR_FILENO);
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return pid;
}

/// The child's exit code, or 128 + the signal that ended it.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/// As wait_exit(), but a child still running after `limit` is killed: -1.
inline int wait_exit_for(pid_t pid, std::chrono::steady_clock::duration limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

inline int run_styx(const std::string& dir, const std::vector<std::string>& args) {
  return wait_exit(spawn_styx(dir, args));
}

inline std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The engine id a state dir holds (<dir>/engine-id, trailing blanks dropped).
inline std::string read_engine_id(const std::string& dir) {
  auto id = read_text(dir + "/engine-id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' '))
    id.pop_back();
  return id;
}

struct cli_result {
  int rc = -1; // -1: killed after the time limit
  std::string out;
  std::string err;
};

/// One command, its stdout and stderr kept (in `scratch`/cmd.out and cmd.err) and returned;
/// killed when it runs longer than `limit`.
inline cli_result run_styx_captured(const std::string& dir, const std::vector<std::string>& args,
                                    const std::string& scratch,
                                    std::chrono::seconds limit = std::chrono::seconds(180)) {
  auto out = scratch + "/cmd.out";
  auto err = scratch + "/cmd.err";
  cli_result r;
  r.rc = wait_exit_for(spawn_styx(dir, args, out, err), limit);
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

/// `styx reconcile --json` on `dir`: its exit code in `rc` and its report's counts (the report
/// stays in `dir`.reconcile.json).
inline std::map<std::string, int64_t> reconcile_counts(const std::string& dir, int& rc) {
  auto out = dir + ".reconcile.json";
  rc = wait_exit(spawn_styx(dir, {"reconcile", "--json"}, out));
  std::map<std::string, int64_t> counts;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto text = read_text(out);
  if (parser.parse(text).get(doc) != simdjson::SUCCESS)
    return counts;
  for (auto field : doc.get_object()) {
    int64_t n = 0;
    if (field.value.get(n) == simdjson::SUCCESS)
      counts[std::string(field.key)] = n;
  }
  return counts;
}

} // namespace styx::test
