// The HTTP engine's streamed requests and per-request TLS, against the fake cluster's watch:
// chunks arrive while the stream is open, cancel() ends it, the cluster's CA is trusted only
// when given (verification stays on), and insecure-skip-tls-verify skips it.

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "runtime/http_engine.hpp"
#include "tests/kubernetes/k8s_fake_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// What one streamed request delivered. Thread rules: filled on the engine's thread, read by
/// the test under the mutex.
struct received {
  std::mutex mtx;
  std::condition_variable cv;
  std::string body;
  bool done = false;
  http_response end;

  template <class Pred>
  bool wait(Pred pred, std::chrono::seconds limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock{mtx};
    return cv.wait_for(lock, limit, [&] { return pred(*this); });
  }
};

http_request request_to(const k8s_fake& f, const std::string& path, std::shared_ptr<http_tls> tls) {
  http_request req;
  req.url = f.server() + path;
  req.headers.emplace_back("Authorization", std::string{"Bearer "} + k8s_test_token);
  req.tls = std::move(tls);
  req.timeout = std::chrono::seconds(60);
  return req;
}

} // namespace

TEST_CASE("kubernetes stream: watch chunks arrive while the stream is open - cancel ends it - "
          "TLS verified against the given CA only") {
  k8s_fake a{"a"};
  http_engine http;
  auto tls = std::make_shared<http_tls>();
  tls->ca_pem = slurp(a.ca_file());
  received got;
  auto cancel = http.stream(
    request_to(a, "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1000", tls),
    [&](std::string chunk) {
      std::lock_guard<std::mutex> guard{got.mtx};
      got.body += chunk;
      got.cv.notify_all();
    },
    [&](http_response r) {
      std::lock_guard<std::mutex> guard{got.mtx};
      got.done = true;
      got.end = std::move(r);
      got.cv.notify_all();
    });
  auto create = request_to(a, "/api/v1/namespaces/default/pods", tls);
  create.method = "POST";
  create.headers.emplace_back("Content-Type", "application/json");
  create.body = R"({"metadata":{"name":"p1","labels":{"styx.dev/engine":"e"}}})";
  std::mutex m;
  std::condition_variable cv;
  int created = 0;
  http.send(create, [&](http_response r) {
    std::lock_guard<std::mutex> guard{m};
    created = r.status;
    cv.notify_all();
  });
  // The ADDED event comes while the stream stays open.
  CHECK(got.wait([](auto& g) { return g.body.find("\"ADDED\"") != std::string::npos; }));
  {
    std::lock_guard<std::mutex> guard{got.mtx};
    CHECK_FALSE(got.done);
  }
  {
    std::unique_lock<std::mutex> lock{m};
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return created != 0; });
    CHECK(created == 201);
  }
  cancel();
  REQUIRE(got.wait([](auto& g) { return g.done; }, std::chrono::seconds(5)));
  CHECK(got.end.status == 0);
  CHECK(got.end.error == "cancelled");

  // Without the cluster's CA the server is not trusted; skipping verification is explicit.
  auto plain = request_to(a, "/api/v1/namespaces/default/pods", nullptr);
  auto refused = std::make_shared<received>();
  http.send(plain, [refused](http_response r) {
    std::lock_guard<std::mutex> guard{refused->mtx};
    refused->end = std::move(r);
    refused->done = true;
    refused->cv.notify_all();
  });
  REQUIRE(refused->wait([](auto& g) { return g.done; }));
  CHECK(refused->end.status == 0);
  auto skip = std::make_shared<http_tls>();
  skip->insecure_skip_verify = true;
  auto insecure = std::make_shared<received>();
  http.send(request_to(a, "/api/v1/namespaces/default/pods", skip), [insecure](http_response r) {
    std::lock_guard<std::mutex> guard{insecure->mtx};
    insecure->end = std::move(r);
    insecure->done = true;
    insecure->cv.notify_all();
  });
  REQUIRE(insecure->wait([](auto& g) { return g.done; }));
  CHECK(insecure->end.status == 200);
}
