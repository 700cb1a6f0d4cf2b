#pragma once
// Test fixtures for the HTTP engine: the loopback server of tests/fixtures/http_server.py run as
// a child process (killed by the destructor, and by the kernel should the test die), and a
// blocking fetch() over a transport. (The self-signed certificate: tests/self_signed_cert.hpp.)

#include <sys/types.h>

#include <string>
#include <vector>

#include "providers/http.hpp"
#include "tests/self_signed_cert.hpp"

namespace styx::test {

class http_test_server {
public:
  /// Starts the server; `args` go to the script (e.g. --cert FILE --key FILE). Throws on failure.
  explicit http_test_server(std::vector<std::string> args = {}, bool tls = false);
  ~http_test_server();

  http_test_server(const http_test_server&) = delete;
  http_test_server& operator=(const http_test_server&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port><path>" (https with TLS).
  std::string url(const std::string& path) const;

private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
};

/// Sends `req` and waits for the answer; throws if none comes within a generous minute.
http_response fetch(http_transport& transport, http_request req);

} // namespace styx::test
