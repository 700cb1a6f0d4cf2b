// `styx bench --provider aws` against moto: the harness drives a real EC2 API, and boto3 sees
// the instances it made, all terminated at the end.

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include <sys/wait.h>

#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"

using namespace styx::test;

TEST_CASE("aws bench: 120 instances in a mix of requests on moto") {
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  auto cmd = std::string{STYX_BINARY}
             + " bench --provider aws --region us-east-1 -n 120 --shape mix --json 2>/dev/null";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  int status = ::pclose(p);
  INFO(out.substr(0, 400));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(out.find("\"cloud\":\"aws\"") != std::string::npos);
  CHECK(out.find("\"running\":120") != std::string::npos);
  CHECK(out.find("\"failed\":0") != std::string::npos);
  // Every instance moto holds was made by the bench, and the bench ended all of them.
  auto all = run_command("python3 -c \"import boto3,collections;"
                         "c=boto3.client('ec2',endpoint_url='" + moto.endpoint() +
                         "',region_name='us-east-1',aws_access_key_id='testing',"
                         "aws_secret_access_key='testing');"
                         "s=collections.Counter(i['State']['Name'] for r in "
                         "c.describe_instances()['Reservations'] for i in r['Instances']);"
                         "print(dict(s))\"");
  INFO(all);
  CHECK(all.find("'terminated': 120") != std::string::npos);
  CHECK(all.find("running") == std::string::npos);
}
