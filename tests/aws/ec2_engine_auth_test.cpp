// Signature checking on: moto with a real IAM user and its access key, checks switched on
// through /moto-api/reset-auth. A wrong secret is an auth error (the api call fails, the
// engine's request fails, nothing is created); the right secret works end to end.

#include <catch2/catch.hpp>

#include <future>
#include <sstream>

#include "providers/aws/ec2_api.hpp"
#include "runtime/engine.hpp"
#include "runtime/http_engine.hpp"
#include "tests/aws/ec2_engine_fixture.hpp"
#include "tests/aws/moto_fixture.hpp"

using namespace styx;
using namespace styx::test;

namespace {

const char* const region = "us-east-1";

api_reply call_and_wait(ec2_api& api, api_call call) {
  auto result = std::make_shared<std::promise<api_reply>>();
  auto future = result->get_future();
  api.start(std::move(call), [result](api_reply reply) { result->set_value(std::move(reply)); });
  REQUIRE(future.wait_for(seconds(60)) == std::future_status::ready);
  return future.get();
}

api_call create_one(uint64_t seed) {
  uuid_generator ids(seed);
  api_call call;
  call.op = api_op::create;
  call.spec.instance_type = "t3.micro";
  call.spec.zone = "us-east-1a";
  call.spec.tags = {{ownership_tag::engine, "auth-test"}};
  create_slot slot;
  static_cast<uuid&>(slot.id) = ids.next();
  slot.name = "auth-0";
  call.slots.push_back(slot);
  call.client_token = "auth-" + std::to_string(seed);
  return call;
}

/// Switches moto's signature checks on (`after` == "0") or off ("inf").
void reset_auth(const moto_fixture& moto, const std::string& after) {
  auto answer = moto.raw_http("POST", "/moto-api/reset-auth", after);
  REQUIRE(answer.find(" 200 ") != std::string::npos);
}

} // namespace

TEST_CASE("aws engine: with signature checks on, a wrong secret is refused, the right one works") {
  moto_fixture moto;
  std::istringstream keys{run_command("python3 " + fixture_path("ec2_engine_iam.py") + " "
                                      + moto.endpoint())};
  std::string access, secret;
  keys >> access >> secret;
  REQUIRE_FALSE(access.empty());
  REQUIRE_FALSE(secret.empty());
  reset_auth(moto, "0");

  SECTION("the api: an auth error, nothing created") {
    http_engine http;
    system_clock clk;
    auto wrong_secret = secret;
    wrong_secret.back() = wrong_secret.back() == 'x' ? 'y' : 'x';
    ec2_api wrong(provider_id{"aws", region}, aws_credentials{access, wrong_secret, ""},
                  moto.endpoint(), http, clk);
    auto refused = call_and_wait(wrong, create_one(1));
    CHECK(refused.error.kind == error_kind::auth);
    CHECK(refused.instances.empty());
    CHECK(inspect_ec2(moto.endpoint(), region, "styx:engine", "auth-test", access, secret)
            .instances.empty());

    ec2_api right(provider_id{"aws", region}, aws_credentials{access, secret, ""},
                  moto.endpoint(), http, clk);
    auto created = call_and_wait(right, create_one(2));
    INFO(created.error.to_string());
    REQUIRE_FALSE(created.error);
    REQUIRE(created.instances.size() == 1);
    CHECK(created.instances[0].tags.at("Name") == "auth-0");
    CHECK(inspect_ec2(moto.endpoint(), region, "styx:engine", "auth-test", access, secret)
            .instances.size()
          == 1);
  }

  SECTION("the engine: the request fails with the wrong secret and succeeds with the right") {
    use_aws_env(moto.endpoint(), access, secret + "-wrong");
    {
      auto eng = engine::start(aws_engine_config(region));
      auto done = eng->submit(provision_request::make("refused", resources{}).count(3))
                    .wait_for(seconds(60));
      REQUIRE(done);
      CHECK_FALSE(done->ok);
      CHECK(done->running == 0);
      CHECK(inspect_ec2(moto.endpoint(), region, "styx:engine", eng->engine_id(), access, secret)
              .instances.empty());
    }
    use_aws_env(moto.endpoint(), access, secret);
    auto eng = engine::start(aws_engine_config(region));
    auto done = eng->submit(provision_request::make("accepted", resources{}).count(3))
                  .wait_for(seconds(60));
    REQUIRE(done);
    INFO(done->error);
    CHECK(done->ok);
    CHECK(done->running == 3);
    auto view = inspect_ec2(moto.endpoint(), region, "styx:engine", eng->engine_id(), access,
                            secret);
    CHECK(view.instances.size() == 3);
  }
  reset_auth(moto, "inf");
}
