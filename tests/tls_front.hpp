#pragma once
// An HTTPS front (tests/fixtures/tls_front.py) for a plain-HTTP emulator, for the TLS trust
// tests (tests/aws/aws_tls_test.cpp, tests/gcp/gcp_cli_test.cpp): it serves a self-signed
// certificate and forwards every request unchanged. Header-only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "tests/aws/ec2_engine_fixture.hpp" // fixture_path
#include "tests/python_child.hpp"
#include "tests/self_signed_cert.hpp"

namespace styx::test {

/// tests/fixtures/tls_front.py on a free loopback port, serving `cert` in front of
/// `upstream`; killed by the destructor (and by the kernel should the test die first).
class tls_front {
public:
  tls_front(const std::string& upstream, const self_signed_cert& cert) {
    port_ = free_loopback_port();
    auto up = upstream.back() == '/' ? upstream.substr(0, upstream.size() - 1) : upstream;
    pid_ = spawn_quiet({"python3", fixture_path("tls_front.py"), "--port", std::to_string(port_),
                        "--upstream", up, "--cert", cert.cert_file(), "--key", cert.key_file()});
    for (int i = 0; i < 300; ++i) { // listening: a TCP connect succeeds (no plain HTTP here)
      if (tcp_open())
        return;
      usleep(100'000);
    }
    stop_child(pid_);
    throw std::runtime_error("tls_front.py did not listen within 30 s");
  }
  ~tls_front() { stop_child(pid_); }
  tls_front(const tls_front&) = delete;
  tls_front& operator=(const tls_front&) = delete;

  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }

private:
  bool tcp_open() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    if (fd >= 0)
      close(fd);
    return ok;
  }
  int port_ = 0;
  pid_t pid_ = -1;
};

} // namespace styx::test
