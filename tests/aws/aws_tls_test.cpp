// TLS trust for EC2, as the AWS CLI has it: the endpoint's certificate is verified against the
// system's CAs by default, and against AWS_CA_BUNDLE or the profile's `ca_bundle` when one is
// set. moto sits behind tests/fixtures/tls_front.py, an HTTPS front with a self-signed
// certificate. Every check of what exists reads moto itself (plain HTTP, behind the front).

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "tests/aws/moto_cloud_view.hpp"
#include "tests/styx_cli.hpp"
#include "tests/tls_front.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/styx-aws-tls-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

int live_in_moto(const std::string& endpoint) {
  int live = 0;
  for (auto& i : moto_view::ec2_all(endpoint))
    live += i.state == "running" || i.state == "pending";
  return live;
}

} // namespace

TEST_CASE("aws tls: a self-signed endpoint is refused in plain words unless its CA is configured") {
  moto_fixture moto;
  self_signed_cert cert;
  tls_front front(moto.endpoint(), cert);
  use_aws_env(front.endpoint());
  unsetenv("AWS_CA_BUNDLE");
  auto dir = temp_dir();
  const std::string up = "up --provider aws --region us-east-1 --count 2 --name tls";

  SECTION("refused by default: one line naming the cause and the AWS way to trust a CA") {
    auto r = styx_cli(dir, up);
    INFO(r.out);
    CHECK(r.rc != 0);
    CHECK(r.out.find("TLS certificate is not trusted") != std::string::npos);
    CHECK(r.out.find("AWS_CA_BUNDLE") != std::string::npos);
    CHECK(r.out.find("system_error") == std::string::npos);
    CHECK(r.out.find("runtime_error") == std::string::npos);
    CHECK(live_in_moto(moto.endpoint()) == 0);
  }

  SECTION("trusted through AWS_CA_BUNDLE") {
    setenv("AWS_CA_BUNDLE", cert.cert_file().c_str(), 1);
    auto r = styx_cli(dir, up);
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(live_in_moto(moto.endpoint()) == 2);
    auto down = styx_cli(dir, "down --all");
    INFO(down.out);
    CHECK(down.rc == 0);
    CHECK(live_in_moto(moto.endpoint()) == 0);
  }

  SECTION("trusted through ca_bundle in the profile of the AWS config file") {
    auto config = dir + "/config";
    std::ofstream(config) << "[default]\nregion = us-east-1\nca_bundle = " << cert.cert_file()
                          << "\n";
    setenv("AWS_CONFIG_FILE", config.c_str(), 1);
    auto r = styx_cli(dir, up);
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(live_in_moto(moto.endpoint()) == 2);
    CHECK(styx_cli(dir, "down --all").rc == 0);
    CHECK(live_in_moto(moto.endpoint()) == 0);
  }

  SECTION("a CA bundle that cannot be read is named, and nothing is sent") {
    setenv("AWS_CA_BUNDLE", (dir + "/missing.pem").c_str(), 1);
    auto r = styx_cli(dir, up);
    INFO(r.out);
    CHECK(r.rc != 0);
    CHECK(r.out.find("the AWS CA bundle " + dir + "/missing.pem (from AWS_CA_BUNDLE) cannot be "
                     "read") != std::string::npos);
    CHECK(live_in_moto(moto.endpoint()) == 0);
  }
  unsetenv("AWS_CA_BUNDLE");
  std::filesystem::remove_all(dir);
}
