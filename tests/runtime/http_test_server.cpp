#include "tests/runtime/http_test_server.hpp"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <stdexcept>

namespace styx::test {

namespace {

const char* const server_script = STYX_SOURCE_DIR "/tests/fixtures/http_server.py";

// Reads one line from `fd`, waiting at most `timeout_ms` in total; empty on EOF or timeout.
std::string read_line(int fd, int timeout_ms) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0)
      return {};
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0)
      continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0)
      return {};
    if (c == '\n')
      return line;
    line += c;
  }
}

} // namespace

http_test_server::http_test_server(std::vector<std::string> args, bool tls) : tls_(tls) {
  std::vector<std::string> words{"python3", server_script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string line = read_line(fds[0], 30'000);
  close(fds[0]);
  port_ = line.empty() ? 0 : std::atoi(line.c_str());
  if (port_ <= 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("http_server.py did not report a port");
  }
}

http_test_server::~http_test_server() {
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

std::string http_test_server::url(const std::string& path) const {
  return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_) + path;
}

http_response fetch(http_transport& transport, http_request req) {
  // Shared, so that a late answer after a timeout here writes into something still alive.
  auto promise = std::make_shared<std::promise<http_response>>();
  auto future = promise->get_future();
  transport.send(std::move(req), [promise](http_response r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
    throw std::runtime_error("no answer within a minute");
  return future.get();
}

} // namespace styx::test
