#pragma once
// Test fixtures for the HTTP engine: the loopback server of tests/fixtures/http_server.py run as
// a child process (killed by the destructor, and by the kernel should the test die), a
// self-signed certificate made with the openssl CLI, and a blocking fetch() over a transport.

#include <sys/types.h>

#include <string>
#include <vector>

#include "providers/http.hpp"

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

/// A temporary directory holding cert.pem and key.pem, a self-signed certificate with the given
/// subjectAltName; removed by the destructor.
class self_signed_cert {
public:
  explicit self_signed_cert(const std::string& subject_alt_name = "IP:127.0.0.1");
  ~self_signed_cert();

  self_signed_cert(const self_signed_cert&) = delete;
  self_signed_cert& operator=(const self_signed_cert&) = delete;

  std::string cert_file() const { return dir_ + "/cert.pem"; }
  std::string key_file() const { return dir_ + "/key.pem"; }

private:
  std::string dir_;
};

/// Sends `req` and waits for the answer; throws if none comes within a generous minute.
http_response fetch(http_transport& transport, http_request req);

} // namespace styx::test
