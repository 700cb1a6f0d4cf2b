// The metrics server (runtime/metrics_http.hpp) over a real loopback socket: GET /metrics
// answers the rendered text with the exposition content type; other paths are 404, other
// methods 405; `--metrics` addresses default to loopback.

#include <catch2/catch.hpp>

#include <atomic>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/metrics_http.hpp"

using namespace styx;

namespace {

/// Sends `request` to 127.0.0.1:`port` and reads the whole answer (the server closes).
std::string exchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  while (auto n = ::recv(fd, buf, sizeof buf, 0)) {
    if (n < 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

} // namespace

TEST_CASE("the metrics server answers GET /metrics and 404 elsewhere and 405 for other methods") {
  std::atomic<int> rendered{0};
  metrics_server srv{"127.0.0.1", 0, [&] {
                       ++rendered;
                       return std::string{"# TYPE x counter\nx 1\n"};
                     }};
  REQUIRE(srv.port() != 0);
  auto ok = exchange(srv.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
  CHECK(ok.find("Content-Length: 21\r\n") != std::string::npos);
  CHECK(ok.size() >= 21);
  CHECK(ok.substr(ok.size() - 21) == "# TYPE x counter\nx 1\n");
  auto query = exchange(srv.port(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  CHECK(query.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  auto head = exchange(srv.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(head.find("x 1") == std::string::npos);
  CHECK(rendered == 3);
  CHECK(srv.scrapes() == 3);
  auto missing = exchange(srv.port(), "GET / HTTP/1.1\r\n\r\n");
  CHECK(missing.rfind("HTTP/1.1 404 ", 0) == 0);
  auto post = exchange(srv.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  CHECK(post.rfind("HTTP/1.1 405 ", 0) == 0);
  CHECK(post.find("Allow: GET, HEAD\r\n") != std::string::npos);
  auto junk = exchange(srv.port(), "hello\r\n\r\n");
  CHECK(junk.rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(rendered == 3);
  srv.stop();
  srv.stop(); // idempotent
}

TEST_CASE("a render that throws is a 500 and the server goes on") {
  std::atomic<bool> fail{true};
  metrics_server srv{"127.0.0.1", 0, [&]() -> std::string {
                       if (fail)
                         throw std::runtime_error("engine stopping");
                       return "ok\n";
                     }};
  auto bad = exchange(srv.port(), "GET /metrics HTTP/1.1\r\n\r\n");
  CHECK(bad.rfind("HTTP/1.1 500 ", 0) == 0);
  CHECK(bad.find("engine stopping") != std::string::npos);
  fail = false;
  auto good = exchange(srv.port(), "GET /metrics HTTP/1.1\r\n\r\n");
  CHECK(good.rfind("HTTP/1.1 200 ", 0) == 0);
}

TEST_CASE("metrics addresses are HOST:PORT or :PORT or PORT and loopback by default") {
  CHECK(parse_metrics_address("9464") == std::make_pair(std::string{"127.0.0.1"}, uint16_t{9464}));
  CHECK(parse_metrics_address(":0") == std::make_pair(std::string{"127.0.0.1"}, uint16_t{0}));
  CHECK(parse_metrics_address("0.0.0.0:80") == std::make_pair(std::string{"0.0.0.0"}, uint16_t{80}));
  CHECK(parse_metrics_address("[::1]:9") == std::make_pair(std::string{"::1"}, uint16_t{9}));
  CHECK_THROWS_AS(parse_metrics_address("host:port"), std::runtime_error);
  CHECK_THROWS_AS(parse_metrics_address("70000"), std::runtime_error);
}

TEST_CASE("the metrics server refuses a port in use with one line") {
  metrics_server first{"127.0.0.1", 0, [] { return std::string{}; }};
  CHECK_THROWS_WITH(metrics_server("127.0.0.1", first.port(), [] { return std::string{}; }),
                    Catch::Contains("cannot listen on 127.0.0.1:"));
}
