// `styx check` and check_clouds() against moto: credentials from the environment, the
// endpoint's authenticated read (the catalog's SigV4-signed Describe calls, through the
// provider actor) answered, usable; and an endpoint nobody listens on is not usable, in one line.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "runtime/cloud_check.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"
#include "tests/styx_cli.hpp"

using namespace styx;
using namespace styx::test;

namespace {

engine_config aws_only(const std::string& region) {
  engine_config cfg;
  cfg.providers = {provider_spec{"aws", {region}, {}}};
  return cfg;
}

} // namespace

TEST_CASE("check: aws on moto has credentials from the environment - answers and is usable") {
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  auto checks = check_clouds(aws_only("us-east-1"));
  REQUIRE(checks.size() == 1);
  auto& c = checks[0];
  INFO(c.to_line());
  CHECK(c.cloud == "aws");
  CHECK(c.credentials);
  CHECK(c.credentials_from.find("environment") != std::string::npos);
  CHECK(c.credentials_from.find(moto.endpoint().substr(0, 20)) != std::string::npos);
  CHECK(c.answered);
  CHECK(c.offerings > 0);
  CHECK(c.usable());
  CHECK(c.reason.empty());
  CHECK(c.to_line().rfind("aws: usable; credentials: environment", 0) == 0);

  auto dir = std::filesystem::temp_directory_path()
             / ("styx-check-moto-" + std::to_string(::getpid()));
  auto run = styx_cli(dir.string(), "check --provider aws --region us-east-1");
  auto& out = run.out;
  INFO(out);
  CHECK(run.rc == 0);
  CHECK(out.find("aws: usable; credentials: environment") != std::string::npos);
  CHECK(out.find("answered (us-east-1)") != std::string::npos);
  CHECK(out.find("1 of 1 cloud(s) usable for styx up") != std::string::npos);
}

TEST_CASE("check: an aws endpoint nobody listens on is not usable - with a one-line reason") {
  use_aws_env("http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/");
  auto checks = check_clouds(aws_only("us-east-1"), seconds(20));
  REQUIRE(checks.size() == 1);
  auto& c = checks[0];
  INFO(c.to_line());
  CHECK(c.credentials); // found: it is the endpoint that fails
  CHECK_FALSE(c.answered);
  CHECK_FALSE(c.usable());
  CHECK(c.reason.rfind("aws/us-east-1 did not answer: ", 0) == 0);
  CHECK(c.reason.find('\n') == std::string::npos);
  CHECK(c.to_line().rfind("aws: not usable: aws/us-east-1 did not answer: ", 0) == 0);
}

TEST_CASE("check: aws without credentials is not usable and says so") {
  use_aws_env("http://127.0.0.1:1/");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  auto checks = check_clouds(aws_only("us-east-1"));
  REQUIRE(checks.size() == 1);
  INFO(checks[0].to_line());
  CHECK_FALSE(checks[0].credentials);
  CHECK_FALSE(checks[0].usable());
  CHECK(checks[0].reason.rfind("no credentials: ", 0) == 0);
}
