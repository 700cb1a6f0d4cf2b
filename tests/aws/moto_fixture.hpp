#pragma once
// A moto server (the AWS emulator) for tests: `moto_server -H 127.0.0.1 -p PORT` run as a child
// process on a free loopback port, waited for until it answers HTTP, and killed by the
// destructor (and by the kernel, should the test process die first). Header-only so any test
// binary can use it:
//
//   styx::test::moto_fixture moto;              // throws if moto_server is missing or mute
//   moto.endpoint()                             // "http://127.0.0.1:PORT/"
//   moto.reset();                               // forget every resource
//
// moto accepts any credentials by default and routes a request to EC2 by the credential scope
// of its SigV4 Authorization header (an unsigned request lands on S3).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace styx::test {

/// A loopback port nobody listens on right now.
inline int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0)
      close(fd);
    throw std::runtime_error("no free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

/// Ends a child process: SIGTERM, SIGKILL after 5 s; sets `pid` to -1.
inline void stop_child(pid_t& pid) {
  if (pid <= 0)
    return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50 && pid > 0; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid)
      pid = -1;
    else
      usleep(100'000);
  }
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
}

/// One plain HTTP/1.0 exchange with 127.0.0.1:`port`; the raw answer, empty if unreachable.
inline std::string loopback_http(int port, const std::string& method, const std::string& path,
                                 const std::string& body = {},
                                 const std::string& content_type = "text/plain") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string req = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: "
                      + content_type + "\r\nContent-Length: " + std::to_string(body.size())
                      + "\r\n\r\n" + body;
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0)
        answer.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return answer;
}

class moto_fixture {
public:
  moto_fixture() {
    auto program = find_on_path("moto_server");
    if (program.empty())
      throw std::runtime_error("moto_server is not on PATH: install moto[server] (pip install "
                               "'moto[server]') to run the AWS tests against the emulator");
    std::string last_error;
    for (int attempt = 0; attempt < 3; ++attempt) { // a port may be taken between probe and bind
      port_ = free_loopback_port();
      pid_ = spawn(program, port_);
      if (wait_ready(last_error))
        return;
      stop();
      last_error += "; its output: " + tail_of_log();
    }
    throw std::runtime_error("moto_server did not answer on 127.0.0.1: " + last_error);
  }

  ~moto_fixture() {
    stop();
    unlink(log_path(port_).c_str());
  }

  moto_fixture(const moto_fixture&) = delete;
  moto_fixture& operator=(const moto_fixture&) = delete;

  int port() const { return port_; }

  /// The endpoint to send API calls to: "http://127.0.0.1:PORT/".
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  /// Clears moto's state (every instance, tag, ...); throws if moto does not say 200.
  void reset() const {
    auto answer = raw_http("POST", "/moto-api/reset", "");
    if (answer.rfind("HTTP/1.1 200", 0) != 0 && answer.rfind("HTTP/1.0 200", 0) != 0)
      throw std::runtime_error("moto reset failed: " + answer.substr(0, 80));
  }

  /// Sends one plain HTTP/1.0 request to moto and returns the raw answer (status line,
  /// headers, body); empty if moto could not be reached.
  std::string raw_http(const std::string& method, const std::string& path,
                       const std::string& body) const {
    return loopback_http(port_, method, path, body);
  }

private:
  static std::string find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    size_t start = 0;
    while (start <= dirs.size()) {
      auto end = dirs.find(':', start);
      if (end == std::string::npos)
        end = dirs.size();
      auto dir = dirs.substr(start, end - start);
      auto candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0)
        return candidate;
      start = end + 1;
    }
    return {};
  }


  static pid_t spawn(const std::string& program, int port) {
    auto port_text = std::to_string(port);
    auto log = log_path(port);
    pid_t pid = fork();
    if (pid < 0)
      throw std::runtime_error("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        close(out);
      }
      execl(program.c_str(), program.c_str(), "-H", "127.0.0.1", "-p", port_text.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  // Polls until moto answers HTTP, it exits, or a generous minute has passed.
  bool wait_ready(std::string& error) {
    for (int i = 0; i < 600; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error = "moto_server exited with status " + std::to_string(status);
        return false;
      }
      if (raw_http("GET", "/moto-api/data.json", "").rfind("HTTP/", 0) == 0)
        return true;
      usleep(100'000);
    }
    error = "no answer within 60 s";
    return false;
  }


  // Ends moto; the log stays for the constructor to quote.
  void stop() { stop_child(pid_); }

  static std::string log_path(int port) {
    return "/tmp/styx-moto-" + std::to_string(port) + ".log";
  }

  std::string tail_of_log() const {
    std::string text;
    int fd = open(log_path(port_).c_str(), O_RDONLY);
    if (fd >= 0) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, static_cast<size_t>(n));
      close(fd);
    }
    return text.size() > 600 ? text.substr(text.size() - 600) : text;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

} // namespace styx::test
