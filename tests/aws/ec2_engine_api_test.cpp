// ec2_api on a scripted transport: what it sends (signed form POSTs, the default image, the
// zone's subnet, MaxResults, NextToken pages, CreateTags per instance) and how it answers (one
// reply, every launched instance with its ownership tags even when tagging fails, unknown ids
// dropped, errors mapped).

#include <catch2/catch.hpp>

#include <functional>

#include "providers/aws/ec2_api.hpp"
#include "providers/aws/ec2_query.hpp"

using namespace styx;

namespace {

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> result;
  for (auto& [k, v] : ec2_form_decode(body))
    result[k] = v;
  return result;
}

/// The first header of `req` named `name` (exact case), empty if absent.
std::string header_of(const http_request& req, const std::string& name) {
  for (auto& [k, v] : req.headers)
    if (k == name)
      return v;
  return {};
}

http_response xml(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http_response error_xml(int status, const std::string& code, const std::string& message) {
  return xml(status, "<?xml version=\"1.0\"?><Response><Errors><Error><Code>" + code
                       + "</Code><Message>" + message
                       + "</Message></Error></Errors><RequestID>x</RequestID></Response>");
}

std::string instance_xml(const std::string& id, int index, const std::string& state) {
  return "<item><instanceId>" + id + "</instanceId><amiLaunchIndex>" + std::to_string(index)
         + "</amiLaunchIndex><instanceState><code>0</code><name>" + state
         + "</name></instanceState><instanceType>m5.large</instanceType>"
           "<launchTime>2024-01-31T23:59:59Z</launchTime><placement><availabilityZone>"
           "us-east-1b</availabilityZone></placement></item>";
}

http_response run_instances_xml(const std::vector<std::string>& ids) {
  std::string items;
  for (size_t i = 0; i < ids.size(); ++i)
    items += instance_xml(ids[i], static_cast<int>(i), "pending");
  return xml(200, "<RunInstancesResponse><reservationId>r-1</reservationId><instancesSet>" + items
                    + "</instancesSet></RunInstancesResponse>");
}

http_response describe_xml(const std::vector<std::string>& ids, const std::string& token = {}) {
  std::string items;
  for (auto& id : ids)
    items += instance_xml(id, 0, "running");
  return xml(200, "<DescribeInstancesResponse><reservationSet><item><instancesSet>" + items
                    + "</instancesSet></item></reservationSet>"
                    + (token.empty() ? "" : "<nextToken>" + token + "</nextToken>")
                    + "</DescribeInstancesResponse>");
}

/// Answers every request at once with `script`, and keeps what was sent.
class scripted_transport final : public http_transport {
public:
  std::function<http_response(const http_request&)> script;
  std::vector<http_request> sent;

  void send(http_request req, http_handler done) override {
    sent.push_back(req);
    done(script(sent.back()));
  }

  std::vector<std::map<std::string, std::string>> forms(const std::string& action) const {
    std::vector<std::map<std::string, std::string>> result;
    for (auto& r : sent)
      if (auto f = form(r.body); f["Action"] == action)
        result.push_back(f);
    return result;
  }
};

struct fixture {
  scripted_transport transport;
  manual_clock clk;
  ec2_options opts;
  int replies = 0;
  api_reply last;

  void run(api_call call) {
    ec2_api api(provider_id{"aws", "us-east-1"}, aws_credentials{"AKIDEXAMPLE", "secret", ""},
                "http://127.0.0.1:1/", transport, clk, opts);
    api.start(std::move(call), [this](api_reply r) {
      ++replies;
      last = std::move(r);
    });
  }
};

api_call create_call(int n) {
  uuid_generator ids(5);
  api_call call;
  call.op = api_op::create;
  call.spec.instance_type = "m5.large";
  call.spec.zone = "us-east-1b";
  call.spec.tags = {{ownership_tag::engine, "e1"}};
  call.client_token = "tok-1";
  for (int i = 0; i < n; ++i) {
    create_slot slot;
    static_cast<uuid&>(slot.id) = ids.next();
    slot.name = "job-" + std::to_string(i);
    call.slots.push_back(slot);
  }
  return call;
}

} // namespace

TEST_CASE("ec2_api create: one RunInstances with the shared tags, each instance known by the "
          "client token and its launch index") {
  fixture f;
  f.opts.default_image = "ami-default";
  f.opts.subnets = {{"us-east-1b", "subnet-b"}};
  f.opts.subnet_id = "subnet-other";
  f.transport.script = [&](const http_request&) {
    return run_instances_xml({"i-a", "i-b", "i-c"});
  };
  auto call = create_call(3);
  f.run(call);
  REQUIRE(f.replies == 1);
  INFO(f.last.error.to_string());
  REQUIRE_FALSE(f.last.error);
  REQUIRE(f.last.instances.size() == 3);
  CHECK(f.last.requests == 1);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(f.last.instances[i].client_token == "tok-1");
    CHECK(f.last.instances[i].launch_index == static_cast<int32_t>(i));
    CHECK(f.last.instances[i].owner_instance().empty()); // the provider pairs the slots
    CHECK(f.last.instances[i].tags.at(ownership_tag::engine) == "e1");
  }
  CHECK(f.transport.sent.size() == 1); // no CreateTags, nothing after the RunInstances
  auto runs = f.transport.forms("RunInstances");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["ImageId"] == "ami-default");
  CHECK(runs[0]["SubnetId"] == "subnet-b");
  CHECK(runs[0]["MinCount"] == "3");
  CHECK(runs[0]["ClientToken"] == "tok-1");
  CHECK(runs[0]["TagSpecification.1.Tag.1.Key"] == ownership_tag::engine);
  CHECK(runs[0].count("TagSpecification.1.Tag.2.Key") == 0); // no per-instance tags
  for (auto& req : f.transport.sent) {
    CHECK(req.method == "POST");
    CHECK(req.url == "http://127.0.0.1:1/");
    CHECK(header_of(req, "Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
    CHECK(header_of(req, "Authorization").rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0) == 0);
    CHECK(header_of(req, "Authorization").find("/us-east-1/ec2/aws4_request") != std::string::npos);
  }
  CHECK(ec2_api(provider_id{"aws", "us-east-1"}, aws_credentials{}, "http://x/", f.transport,
                f.clk)
          .identity()
        == slot_identity::token_index);
}

TEST_CASE("ec2_api create: a single slot is tagged in RunInstances, no image is an error") {
  fixture f;
  f.transport.script = [](const http_request&) { return run_instances_xml({"i-a"}); };
  auto call = create_call(1);
  call.spec.image = "ami-own";
  f.run(call);
  REQUIRE(f.replies == 1);
  REQUIRE(f.last.instances.size() == 1);
  CHECK(f.transport.sent.size() == 1);
  auto run = f.transport.forms("RunInstances").at(0);
  CHECK(run["ImageId"] == "ami-own");
  CHECK(run.count("SubnetId") == 0);

  fixture g;
  g.opts.default_image.clear();
  g.transport.script = [](const http_request&) { return run_instances_xml({"i-a"}); };
  g.run(create_call(1));
  REQUIRE(g.replies == 1);
  CHECK(g.last.error.kind == error_kind::invalid_request);
  CHECK(g.transport.sent.empty());
}

TEST_CASE("ec2_api: ids EC2 does not know fail the call and are named, never re-sent here") {
  fixture f;
  f.transport.script = [](const http_request& req) {
    auto body = form(req.body);
    for (auto& [k, v] : body)
      if (k.rfind("InstanceId.", 0) == 0 && v == "i-gone")
        return error_xml(400, "InvalidInstanceID.NotFound",
                         "The instance ID 'i-gone' does not exist");
    return describe_xml({"i-a", "i-b"});
  };
  api_call call;
  call.op = api_op::terminate;
  call.cloud_ids = {"i-a", "i-gone", "i-b"};
  f.run(call);
  REQUIRE(f.replies == 1);
  CHECK(f.last.error.kind == error_kind::not_found);
  CHECK(f.last.unknown_ids == std::vector<std::string>{"i-gone"});
  CHECK(f.transport.sent.size() == 1); // the provider actor sends the rest, through its buckets

  fixture g;
  g.transport.script = [](const http_request&) {
    return error_xml(401, "AuthFailure", "AWS was not able to validate the provided credentials");
  };
  call.op = api_op::terminate;
  g.run(call);
  REQUIRE(g.replies == 1);
  CHECK(g.last.error.kind == error_kind::auth);
  CHECK(g.last.instances.empty());
}

TEST_CASE("ec2_api list follows NextToken with the configured page size") {
  fixture f;
  f.opts.list_page_size = 5;
  f.transport.script = [](const http_request& req) {
    auto body = form(req.body);
    if (body.count("NextToken") == 0)
      return describe_xml({"i-1", "i-2"}, "page-2");
    if (body["NextToken"] == "page-2")
      return describe_xml({"i-3"}, "page-3");
    return describe_xml({"i-4"});
  };
  api_call call;
  call.op = api_op::list;
  call.filter = {{ownership_tag::engine, "e1"}};
  f.run(call);
  REQUIRE(f.replies == 1);
  REQUIRE_FALSE(f.last.error);
  CHECK(f.last.instances.size() == 4);
  CHECK(f.last.requests == 3); // the provider charges the two follow-up pages to its bucket
  auto pages = f.transport.forms("DescribeInstances");
  REQUIRE(pages.size() == 3);
  CHECK(pages[0]["MaxResults"] == "5");
  CHECK(pages[0]["Filter.1.Name"] == "tag:styx:engine");
  CHECK(pages[2]["NextToken"] == "page-3");
  CHECK(pages[2]["MaxResults"] == "5");
}

TEST_CASE("ec2_api: a 2xx body that is not the expected response is a transient error") {
  fixture f;
  f.transport.script = [](const http_request&) { return xml(200, "<html>proxy</html>"); };
  api_call call;
  call.op = api_op::stop;
  call.cloud_ids = {"i-a"};
  f.run(call);
  REQUIRE(f.replies == 1);
  CHECK(f.last.error.kind == error_kind::transient);
}
