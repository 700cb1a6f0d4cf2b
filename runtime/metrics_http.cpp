#include "runtime/metrics_http.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "runtime/metrics.hpp"
#include "runtime/node.hpp"

namespace styx {

namespace {

constexpr size_t max_request = 8192;
constexpr int request_timeout_ms = 5000;

std::string response(int status, const char* reason, const std::string& content_type,
                     const std::string& body, bool head, const char* extra = "") {
  std::string out = "HTTP/1.1 " + std::to_string(status) + ' ' + reason + "\r\n";
  out += "Content-Type: " + content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra;
  out += "Connection: close\r\n\r\n";
  if (!head)
    out += body;
  return out;
}

/// Reads the request head (up to the blank line); empty when the client was too slow, sent
/// too much, or went away.
std::string read_head(int fd) {
  std::string buf;
  char chunk[2048];
  while (buf.find("\r\n\r\n") == std::string::npos && buf.find("\n\n") == std::string::npos) {
    if (buf.size() > max_request)
      return {};
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, request_timeout_ms) <= 0)
      return {};
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return {};
    buf.append(chunk, static_cast<size_t>(n));
  }
  return buf;
}

void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, request_timeout_ms) <= 0)
      return;
    auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    sent += static_cast<size_t>(n);
  }
}

} // namespace

struct metrics_server::impl {
  std::string host;
  uint16_t port = 0;
  render_fn render;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::atomic<uint64_t> scrapes{0};
  std::thread thread;

  std::string answer(const std::string& head) {
    auto line_end = head.find_first_of("\r\n");
    auto line = head.substr(0, line_end);
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0)
      return response(400, "Bad Request", "text/plain", "bad request\n", false);
    auto method = line.substr(0, sp1);
    auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    bool head_only = method == "HEAD";
    if (method != "GET" && !head_only)
      return response(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false,
                      "Allow: GET, HEAD\r\n");
    if (target != "/metrics")
      return response(404, "Not Found", "text/plain", "try /metrics\n", head_only);
    try {
      auto body = render();
      ++scrapes;
      return response(200, "OK", metrics_registry::content_type(), body, head_only);
    } catch (const std::exception& e) {
      spdlog::warn("metrics: could not render: {}", e.what());
      return response(500, "Internal Server Error", "text/plain",
                      std::string{e.what()} + "\n", head_only);
    }
  }

  void serve() {
    for (;;) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR)
          continue;
        spdlog::error("metrics: poll: {}", std::strerror(errno));
        return;
      }
      if (fds[1].revents != 0)
        return; // stop()
      if ((fds[0].revents & POLLIN) == 0)
        continue;
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0)
        continue;
      auto head = read_head(fd);
      if (!head.empty())
        send_all(fd, answer(head));
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  void close_all() {
    for (int* fd : {&listen_fd, &wake[0], &wake[1]})
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
  }
};

metrics_server::metrics_server(const std::string& host, uint16_t port, render_fn render)
  : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.host = host;
  m.render = std::move(render);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("metrics: cannot resolve '" + host + "': " + gai_strerror(rc));
  std::string why = "no address";
  for (auto* a = found; a != nullptr && m.listen_fd < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      m.listen_fd = fd;
      break;
    }
    why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (m.listen_fd < 0)
    throw std::runtime_error("metrics: cannot listen on " + host + ":" + service + ": " + why);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(m.listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  m.port = bound.ss_family == AF_INET6
             ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
             : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (::pipe2(m.wake, O_CLOEXEC) != 0) {
    m.close_all();
    throw std::runtime_error(std::string{"metrics: pipe: "} + std::strerror(errno));
  }
  if (!is_loopback_host(host))
    spdlog::warn("metrics: serving on {}:{}, not loopback: anyone who reaches it can read "
                 "the metrics", host, m.port);
  m.thread = std::thread([p = impl_.get()] { p->serve(); });
}

metrics_server::~metrics_server() {
  stop();
}

uint16_t metrics_server::port() const {
  return impl_->port;
}

const std::string& metrics_server::host() const {
  return impl_->host;
}

uint64_t metrics_server::scrapes() const {
  return impl_->scrapes.load();
}

void metrics_server::stop() {
  auto& m = *impl_;
  if (m.thread.joinable()) {
    char byte = 1;
    if (::write(m.wake[1], &byte, 1) < 0)
      spdlog::warn("metrics: cannot wake the server thread: {}", std::strerror(errno));
    m.thread.join();
  }
  m.close_all();
}

std::pair<std::string, uint16_t> parse_metrics_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return parse_host_port("127.0.0.1:" + text);
  if (colon == 0)
    return parse_host_port("127.0.0.1" + text);
  return parse_host_port(text);
}

} // namespace styx
