// Mutual TLS between an engine and a `styx node` child process, with certificates made by the
// openssl CLI in a temp dir: a peer with a certificate from the configured CA is served; one
// signed by another CA, one whose certificate has expired, or a plaintext peer, gets no
// provider; an engine does not trust a node whose certificate has expired. Needs a build with caf::openssl
// (STYX_CAF_OPENSSL, see runtime/node.hpp); without it only the refusal of TLS settings runs.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "runtime/engine.hpp"
#include "runtime/node_client.hpp"
#include "tests/nodes/node_process.hpp"

using namespace styx;
using styx::test::node_process;

#ifdef STYX_CAF_OPENSSL

namespace {

struct pki {
  std::string dir;

  pki() {
    dir = (std::filesystem::temp_directory_path()
           / ("styx-node-pki-" + std::to_string(::getpid())))
            .string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ca("ca");
    ca("rogue");
    cert("node", "ca");
    cert("engine", "ca");
    cert("intruder", "rogue");
    cert("expired", "ca", -1); // from the right CA, but it ended yesterday
  }

  ~pki() { std::filesystem::remove_all(dir); }

  void run(const std::string& cmd) {
    if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0)
      throw std::runtime_error("failed: " + cmd);
  }

  void ca(const std::string& n) {
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + n + " -keyout " + dir
        + "/" + n + ".key -out " + dir + "/" + n + ".pem");
  }

  void cert(const std::string& n, const std::string& ca, int days = 2) {
    auto p = dir + "/" + n;
    run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + n + " -keyout " + p + ".key -out "
        + p + ".csr");
    run("openssl x509 -req -days " + std::to_string(days) + " -in " + p + ".csr -CA " + dir + "/" + ca + ".pem -CAkey "
        + dir + "/" + ca + ".key -CAcreateserial -out " + p + ".pem");
  }

  node_tls tls(const std::string& who) const {
    return node_tls{dir + "/ca.pem", dir + "/" + who + ".pem", dir + "/" + who + ".key"};
  }
};

engine_config engine_for(uint16_t port, node_transport t) {
  engine_config cfg;
  cfg.seed = 5;
  cfg.providers.clear();
  cfg.threads = 2;
  cfg.node_net = std::move(t);
  cfg.node_wait = seconds(3);
  cfg.nodes.push_back(remote_node{"127.0.0.1", port});
  return cfg;
}

} // namespace

TEST_CASE("mutual TLS: only peers of the configured CA get providers", "[node][tls]") {
  pki certs;
  auto t = certs.tls("node");
  node_process n{{"--listen", "127.0.0.1:0", "--region", "us-east-1", "--sim-profile", "fast",
                  "--cafile", t.cafile, "--certificate", t.certificate, "--key", t.key}};
  SECTION("a peer signed by the CA provisions") {
    node_transport good;
    good.tls = certs.tls("engine");
    auto eng = engine::start(engine_for(n.port(), good));
    REQUIRE(eng->stats().size() == 1);
    auto done = eng->submit(provision_request::make("tls", resources{}.cpus(1)).count(20))
                  .wait_for(seconds(60));
    REQUIRE(done);
    CHECK(done->running == 20);
  }
  SECTION("a peer signed by another CA is refused") {
    node_transport bad;
    bad.tls = certs.tls("intruder");
    bad.tls.cafile = certs.dir + "/rogue.pem";
    auto eng = engine::start(engine_for(n.port(), bad));
    CHECK(eng->stats().empty());
  }
  SECTION("a peer whose certificate from the CA has expired is refused") {
    node_transport old;
    old.tls = certs.tls("expired");
    auto eng = engine::start(engine_for(n.port(), old));
    CHECK(eng->stats().empty());
  }
  SECTION("a plaintext peer is refused") {
    node_transport plain;
    plain.insecure = true;
    auto eng = engine::start(engine_for(n.port(), plain));
    CHECK(eng->stats().empty());
  }
}

TEST_CASE("mutual TLS: a node whose certificate has expired is not trusted", "[node][tls]") {
  pki certs;
  auto t = certs.tls("expired");
  node_process n{{"--listen", "127.0.0.1:0", "--region", "us-east-1", "--sim-profile", "fast",
                  "--cafile", t.cafile, "--certificate", t.certificate, "--key", t.key}};
  node_transport good;
  good.tls = certs.tls("engine");
  auto eng = engine::start(engine_for(n.port(), good));
  CHECK(eng->stats().empty());
}

#else

TEST_CASE("without caf::openssl, TLS settings are refused clearly", "[node][tls]") {
  node_transport t;
  t.tls = node_tls{"ca.pem", "c.pem", "k.pem"};
  CHECK(check_transport("127.0.0.1", t).find("caf::openssl") != std::string::npos);
  engine_config cfg;
  cfg.providers.clear();
  cfg.node_net = t;
  cfg.nodes.push_back(remote_node{"127.0.0.1", 1});
  CHECK_THROWS(engine::start(cfg));
}

#endif
