// http_engine against the loopback server of tests/fixtures/http_server.py: round trips,
// concurrency, timeouts, refused connections, keep-alive, TLS verification and shutdown.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runtime/http_engine.hpp"
#include "tests/runtime/http_test_server.hpp"

using namespace styx;
using styx::test::fetch;
using styx::test::http_test_server;
using styx::test::self_signed_cert;

namespace {

http_request get(std::string url) {
  http_request req;
  req.url = std::move(url);
  return req;
}

// Counts answers and lets the test wait for a number of them.
struct answers {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<http_response> responses;
  std::vector<int> calls;
  std::vector<std::thread::id> threads;

  explicit answers(size_t n) : responses(n), calls(n, 0), threads(n) {}

  http_handler handler(size_t i) {
    return [this, i](http_response r) {
      std::lock_guard<std::mutex> lock(mutex);
      responses[i] = std::move(r);
      ++calls[i];
      threads[i] = std::this_thread::get_id();
      cv.notify_all();
    };
  }

  int total() {
    int sum = 0;
    for (int c : calls)
      sum += c;
    return sum;
  }

  bool wait_for_all(std::chrono::seconds limit = std::chrono::seconds(120)) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, limit, [&] { return total() >= static_cast<int>(calls.size()); });
  }
};

// Polls /waiting until `count` requests are blocked on `key` at the server.
bool wait_until_blocked(http_transport& t, const http_test_server& server, const std::string& key,
                        int count) {
  for (int i = 0; i < 600; ++i) {
    auto r = fetch(t, get(server.url("/waiting?key=" + key)));
    if (r.status == 200 && std::stoi(r.body) >= count)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

} // namespace

TEST_CASE("http_engine: GET round trip with headers", "[http]") {
  http_test_server server;
  http_engine engine;
  auto req = get(server.url("/echo?x=1"));
  req.headers = {{"X-Custom", "value 1"}, {"Authorization", "Bearer secret"}};
  auto r = fetch(engine, req);
  CHECK(r.status == 200);
  CHECK(r.error.empty());
  CHECK(r.body.empty());
  CHECK(r.header("x-method") == "GET");
  CHECK(r.header("X-Path") == "/echo?x=1");
  CHECK(r.header("X-Echo-X-Custom") == "value 1");
  CHECK(r.header("X-Echo-Authorization") == "Bearer secret");
  CHECK(r.header("Content-Length") == "0");
  CHECK(r.header("X-Absent").empty());
}

TEST_CASE("http_engine: POST, PUT, PATCH, DELETE and HEAD carry method, body and headers",
          "[http]") {
  http_test_server server;
  http_engine engine;

  SECTION("POST with a body and a content type") {
    http_request req;
    req.method = "POST";
    req.url = server.url("/echo?status=201");
    req.headers = {{"Content-Type", "application/json"}, {"X-Amz-Target", "a.b"}};
    req.body = R"({"k": "v", "n": [1, 2, 3]})";
    auto r = fetch(engine, req);
    CHECK(r.status == 201);
    CHECK(r.body == req.body);
    CHECK(r.header("X-Method") == "POST");
    CHECK(r.header("X-Echo-Content-Type") == "application/json");
    CHECK(r.header("X-Echo-X-Amz-Target") == "a.b");
    CHECK(r.header("X-Echo-Content-Length") == std::to_string(req.body.size()));
  }
  SECTION("POST without a content type gets none added, nor Expect, even when large") {
    http_request req;
    req.method = "POST";
    req.url = server.url("/echo");
    req.body = std::string(200'000, 'x');
    auto r = fetch(engine, req);
    CHECK(r.status == 200);
    CHECK(r.body == req.body);
    CHECK(r.header("X-Echo-Content-Type").empty());
    CHECK(r.header("X-Echo-Expect").empty());
  }
  SECTION("binary body survives") {
    http_request req;
    req.method = "PUT";
    req.url = server.url("/echo");
    req.body = std::string("a\0b\r\n\xff", 6);
    auto r = fetch(engine, req);
    CHECK(r.status == 200);
    CHECK(r.header("X-Method") == "PUT");
    CHECK(r.body == req.body);
  }
  SECTION("PATCH with a body") {
    http_request req;
    req.method = "PATCH";
    req.url = server.url("/echo");
    req.body = "patch";
    auto r = fetch(engine, req);
    CHECK(r.header("X-Method") == "PATCH");
    CHECK(r.body == "patch");
  }
  SECTION("DELETE without a body") {
    http_request req;
    req.method = "DELETE";
    req.url = server.url("/echo?status=204");
    auto r = fetch(engine, req);
    CHECK(r.status == 204);
    CHECK(r.header("X-Method") == "DELETE");
    CHECK(r.body.empty());
  }
  SECTION("HEAD") {
    http_request req;
    req.method = "HEAD";
    req.url = server.url("/echo");
    auto r = fetch(engine, req);
    CHECK(r.status == 200);
    CHECK(r.header("X-Method") == "HEAD");
    CHECK(r.body.empty());
  }
  SECTION("an HTTP error status is a response, not a transport error") {
    auto r = fetch(engine, get(server.url("/no-such-path")));
    CHECK(r.status == 404);
    CHECK(r.error.empty());
    CHECK(engine.counters().completed == 1);
    CHECK(engine.counters().failed == 0);
  }
}

TEST_CASE("http_engine: 200 concurrent requests each complete exactly once", "[http]") {
  http_test_server server;
  const size_t n = 200;
  answers got(n);
  auto engine = std::make_unique<http_engine>();
  // From several threads at once, as actors would.
  std::vector<std::thread> senders;
  for (size_t s = 0; s < 4; ++s)
    senders.emplace_back([&, s] {
      for (size_t i = s; i < n; i += 4) {
        http_request req;
        req.method = "POST";
        req.url = server.url("/echo?i=" + std::to_string(i));
        req.body = "request " + std::to_string(i);
        engine->send(std::move(req), got.handler(i));
      }
    });
  for (auto& t : senders)
    t.join();
  REQUIRE(got.wait_for_all());
  auto counters = engine->counters();
  engine.reset(); // joins: no late second call can hide behind it

  std::set<std::string> connections;
  for (size_t i = 0; i < n; ++i) {
    INFO("request " << i);
    CHECK(got.calls[i] == 1);
    CHECK(got.responses[i].status == 200);
    CHECK(got.responses[i].body == "request " + std::to_string(i));
    CHECK(got.threads[i] != std::this_thread::get_id());
    connections.insert(got.responses[i].header("X-Conn-Id"));
  }
  CHECK(connections.size() <= 16); // max_host_connections
  CHECK(counters.sent == n);
  CHECK(counters.completed == n);
  CHECK(counters.failed == 0);
  CHECK(counters.in_flight() == 0);
}

TEST_CASE("http_engine: a slow request times out without stalling the others", "[http]") {
  http_test_server server;
  http_engine engine;
  answers got(2);

  // Blocks at the server until released: never, for the one with a short timeout.
  auto timed = get(server.url("/wait?key=never"));
  timed.timeout = milliseconds(300);
  engine.send(timed, got.handler(0));
  auto parked = get(server.url("/wait?key=parked"));
  parked.timeout = seconds(120);
  engine.send(parked, got.handler(1));

  // While `parked` is held at the server, other requests go through.
  REQUIRE(wait_until_blocked(engine, server, "parked", 1));
  for (int i = 0; i < 5; ++i)
    CHECK(fetch(engine, get(server.url("/echo"))).status == 200);
  {
    std::lock_guard<std::mutex> lock(got.mutex);
    CHECK(got.calls[1] == 0); // still parked
  }
  CHECK(fetch(engine, get(server.url("/release?key=parked"))).status == 200);
  REQUIRE(got.wait_for_all());

  CHECK(got.responses[0].status == 0);
  CHECK(got.responses[0].error.find("timed out") != std::string::npos);
  CHECK(got.responses[1].status == 200);
  CHECK(got.responses[1].body == "released");
}

TEST_CASE("http_engine: connection refused gives status 0 and an error", "[http]") {
  // A bound socket that does not listen: connecting to it is refused, and nobody else can take
  // the port meanwhile.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  int port = ntohs(addr.sin_port);

  http_engine engine;
  auto r = fetch(engine, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  close(fd);
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
  CHECK(r.headers.empty());
  CHECK(engine.counters().failed == 1);
  CHECK(engine.counters().completed == 0);
}

TEST_CASE("http_engine: unsupported schemes are refused", "[http]") {
  http_engine engine;
  auto r = fetch(engine, get("file:///etc/passwd"));
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
  CHECK(r.body.empty());
}

TEST_CASE("http_engine: keep-alive reuses connections", "[http]") {
  http_test_server server;
  http_engine engine;
  const int n = 20;
  std::set<std::string> connections;
  for (int i = 0; i < n; ++i) {
    auto r = fetch(engine, get(server.url("/echo")));
    REQUIRE(r.status == 200);
    connections.insert(r.header("X-Conn-Id"));
  }
  CHECK(connections.size() < static_cast<size_t>(n));
  auto c = engine.counters();
  CHECK(c.connections_reused > 0);
  CHECK(c.connections_opened == connections.size());
  CHECK(c.connections_opened + c.connections_reused == static_cast<uint64_t>(n));
}

TEST_CASE("http_engine: TLS is verified by default", "[http]") {
  self_signed_cert cert;
  http_test_server server({"--cert", cert.cert_file(), "--key", cert.key_file()}, true);

  SECTION("a self-signed certificate is refused by default") {
    http_engine engine;
    auto r = fetch(engine, get(server.url("/echo")));
    CHECK(r.status == 0);
    CHECK(r.error.find("certificate") != std::string::npos);
  }
  SECTION("and accepted when it is the configured CA") {
    http_engine_config cfg;
    cfg.ca_file = cert.cert_file();
    http_engine engine(cfg);
    auto req = get(server.url("/echo"));
    req.method = "POST";
    req.body = "over tls";
    auto r = fetch(engine, req);
    CHECK(r.status == 200);
    CHECK(r.body == "over tls");
  }
  SECTION("or when verification is explicitly skipped") {
    http_engine_config cfg;
    cfg.insecure_skip_verify = true;
    http_engine engine(cfg);
    CHECK(fetch(engine, get(server.url("/echo"))).status == 200);
  }
}

TEST_CASE("http_engine: TLS checks the host name", "[http]") {
  self_signed_cert cert("DNS:elsewhere.example");
  http_test_server server({"--cert", cert.cert_file(), "--key", cert.key_file()}, true);
  http_engine_config cfg;
  cfg.ca_file = cert.cert_file(); // trusted, but issued for another name
  http_engine engine(cfg);
  auto r = fetch(engine, get(server.url("/echo")));
  CHECK(r.status == 0);
  CHECK(r.error.find("host name") != std::string::npos);
}

TEST_CASE("http_engine: shutdown completes requests in flight with an error", "[http]") {
  http_test_server server;
  const size_t n = 6;
  answers got(n + 1); // the last: sent again from a callback during shutdown
  auto engine = std::make_unique<http_engine>();
  for (size_t i = 0; i < n - 1; ++i)
    engine->send(get(server.url("/wait?key=stop")), got.handler(i));
  http_engine* raw = engine.get();
  engine->send(get(server.url("/wait?key=stop")), [&, raw](http_response r) {
    got.handler(n - 1)(std::move(r));
    raw->send(get(server.url("/echo")), got.handler(n));
  });
  {
    http_engine observer;
    REQUIRE(wait_until_blocked(observer, server, "stop", static_cast<int>(n)));
  }
  auto caller = std::this_thread::get_id();
  engine.reset();

  // All answered before the destructor returned.
  for (size_t i = 0; i <= n; ++i) {
    INFO("request " << i);
    CHECK(got.calls[i] == 1);
    CHECK(got.responses[i].status == 0);
    CHECK(got.responses[i].error == "http engine stopped");
    CHECK(got.threads[i] != caller);
  }
}

TEST_CASE("http_engine: a throwing callback is contained", "[http]") {
  http_test_server server;
  http_engine engine;
  std::atomic<int> calls{0};
  engine.send(get(server.url("/echo")), [&](http_response) {
    ++calls;
    throw std::runtime_error("boom");
  });
  for (int i = 0; i < 1200 && engine.counters().callback_exceptions == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The engine still works.
  CHECK(fetch(engine, get(server.url("/echo"))).status == 200);
  CHECK(calls == 1);
  CHECK(engine.counters().callback_exceptions == 1);
}
