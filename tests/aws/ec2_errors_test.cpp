#include <catch2/catch.hpp>

#include "providers/aws/ec2_errors.hpp"
#include "tests/aws/ec2_test_util.hpp"

using namespace styx;
using styx::test::read_fixture;

namespace {

http_response error_response(int status, const std::string& code) {
  http_response r;
  r.status = status;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
           + "</Code><Message>m</Message></Error></Errors><RequestID>x</RequestID></Response>";
  return r;
}

} // namespace

TEST_CASE("every EC2 error code maps onto its kind") {
  struct row {
    const char* code;
    int status;
    error_kind kind;
  };
  const row table[] = {
    {"RequestLimitExceeded", 503, error_kind::throttled},
    {"Throttling", 400, error_kind::throttled},
    {"EC2ThrottledException", 400, error_kind::throttled},
    {"InsufficientInstanceCapacity", 500, error_kind::capacity},
    {"Unsupported", 400, error_kind::capacity},
    {"InsufficientFreeAddressesInSubnet", 400, error_kind::capacity},
    {"InsufficientCapacity", 500, error_kind::capacity},
    {"SpotMaxPriceTooLow", 400, error_kind::capacity},
    {"InstanceLimitExceeded", 400, error_kind::quota},
    {"VcpuLimitExceeded", 400, error_kind::quota},
    {"MaxSpotInstanceCountExceeded", 400, error_kind::quota},
    {"AuthFailure", 401, error_kind::auth},
    {"UnauthorizedOperation", 403, error_kind::auth},
    {"InvalidClientTokenId", 403, error_kind::auth},
    {"SignatureDoesNotMatch", 403, error_kind::auth},
    {"InvalidParameterValue", 400, error_kind::invalid_request},
    {"InvalidParameterCombination", 400, error_kind::invalid_request},
    {"InvalidAMIID.NotFound", 400, error_kind::invalid_request},
    {"InvalidAMIID.Malformed", 400, error_kind::invalid_request},
    {"MissingParameter", 400, error_kind::invalid_request},
    {"InvalidInstanceType", 400, error_kind::invalid_request},
    {"InvalidInstanceID.NotFound", 400, error_kind::not_found},
    {"InvalidInstanceID.Malformed", 400, error_kind::not_found},
    {"InternalError", 500, error_kind::transient},
    {"SomethingNew", 500, error_kind::transient},
    {"SomethingNew", 503, error_kind::transient},
    {"SomethingNew", 400, error_kind::fatal},
    {"InvalidAMI", 400, error_kind::fatal}, // not the InvalidAMIID. prefix
  };
  for (auto& r : table) {
    INFO(r.code << " HTTP " << r.status);
    auto err = ec2_error_from(error_response(r.status, r.code));
    CHECK(err.kind == r.kind);
    CHECK(err.code == r.code);
    CHECK(err.message == "m");
    CHECK(ec2_error_kind(r.code, r.status) == r.kind);
  }
}

TEST_CASE("recorded error documents, with and without a namespace") {
  http_response r;
  r.status = 500;
  r.body = read_fixture("ec2_doc_error_capacity.xml");
  auto err = ec2_error_from(r);
  CHECK(err.kind == error_kind::capacity);
  CHECK(err.code == "InsufficientInstanceCapacity");
  CHECK(err.message.find("p3.8xlarge") != std::string::npos);
  CHECK(is_placement_error(err.kind));

  r.status = 503;
  r.body = read_fixture("ec2_doc_error_throttled.xml");
  r.headers = {{"retry-after", "3"}};
  err = ec2_error_from(r);
  CHECK(err.kind == error_kind::throttled);
  CHECK(err.retry_after_ms == 3000);

  r.status = 400;
  r.headers.clear();
  r.body = read_fixture("ec2_moto_error_not_found.xml");
  err = ec2_error_from(r);
  CHECK(err.kind == error_kind::not_found);
  CHECK(err.code == "InvalidInstanceID.NotFound");
  CHECK(err.retry_after_ms == 0);
}

TEST_CASE("non-EC2 bodies and transport failures are transient") {
  http_response r;
  r.status = 503;
  r.body = read_fixture("ec2_proxy_503.xml"); // nginx HTML page
  auto err = ec2_error_from(r);
  CHECK(err.kind == error_kind::transient);
  CHECK(err.code.empty());
  CHECK(err.message.find("HTTP 503") == 0);

  r.status = 502;
  r.body = read_fixture("ec2_proxy_502.xml");
  CHECK(ec2_error_from(r).kind == error_kind::transient);

  r.status = 403; // an HTML page from a proxy, even with a 4xx status
  r.body = "<html><body><h1>Forbidden</h1></body></html>";
  CHECK(ec2_error_from(r).kind == error_kind::transient);

  r.status = 500;
  r.body.clear();
  err = ec2_error_from(r);
  CHECK(err.kind == error_kind::transient);
  CHECK(err.message.find("empty") != std::string::npos);

  r.status = 429;
  r.headers = {{"Retry-After", "1.5"}};
  err = ec2_error_from(r);
  CHECK(err.kind == error_kind::throttled);
  CHECK(err.retry_after_ms == 1500);

  http_response none;
  none.status = 0;
  none.error = "Connection refused";
  err = ec2_error_from(none);
  CHECK(err.kind == error_kind::transient);
  CHECK(err.message == "Connection refused");
  CHECK(is_retryable(err.kind));
}

TEST_CASE("a 2xx with an EC2 document is no error - a 2xx with junk is transient") {
  http_response r;
  r.status = 200;
  r.body = read_fixture("ec2_moto_run_instances.xml");
  r.headers = {{"Retry-After", "5"}};
  auto err = ec2_error_from(r);
  CHECK(err.kind == error_kind::none);
  CHECK_FALSE(err);
  CHECK(err.retry_after_ms == 0);

  r.body = "<html><body>ok</body></html>";
  CHECK(ec2_error_from(r).kind == error_kind::transient);
  r.body = "<RunInstancesResponse><instancesSet>"; // truncated
  CHECK(ec2_error_from(r).kind == error_kind::transient);
  r.body.clear();
  CHECK(ec2_error_from(r).kind == error_kind::transient);
}

TEST_CASE("a Retry-After that is not a number of seconds is ignored") {
  auto r = error_response(503, "RequestLimitExceeded");
  r.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  CHECK(ec2_error_from(r).retry_after_ms == 0);
  r.headers = {{"Retry-After", "-4"}};
  CHECK(ec2_error_from(r).retry_after_ms == 0);
}
