// The GCP provider's pure translation: names and labels, request bodies and ids, Compute's
// JSON documents (shapes from the Compute REST v1 reference) and the error mapping of
// issue #13's table.

#include <catch2/catch.hpp>

#include <simdjson.h>

#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_json.hpp"
#include "providers/gcp/gcp_names.hpp"
#include "providers/gcp/gcp_options.hpp"
#include "providers/gcp/gcp_prices.hpp"
#include "providers/gcp/gcp_requests.hpp"

using namespace styx;

namespace {

instance_id id_of(const char* text) {
  instance_id id;
  static_cast<uuid&>(id) = *uuid::parse(text);
  return id;
}

http_response answer(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string google_error(int code, const char* reason, const char* status = "PERMISSION_DENIED") {
  return std::string{R"({"error":{"code":)"} + std::to_string(code)
         + R"(,"message":"m","errors":[{"message":"m","domain":"global","reason":")" + reason
         + R"("}],"status":")" + status + R"("}})";
}

} // namespace

TEST_CASE("gcp names: an instance is named after its engine id and the name gives it back") {
  auto id = id_of("0123abcd-0000-4000-8000-00000000beef");
  auto name = gcp_instance_name(id);
  CHECK(name == "styx-0123abcd-0000-4000-8000-00000000beef");
  CHECK(name.size() <= 63);
  CHECK(gcp_instance_of(name) == id);
  CHECK(gcp_instance_of("gcloud-made").empty());
  CHECK(gcp_instance_of("styx-not-a-uuid").empty());
  CHECK(gcp_cloud_id("us-central1-a", name) == "us-central1-a/" + name);
  auto parts = gcp_split_cloud_id("us-central1-a/" + name);
  REQUIRE(parts);
  CHECK(parts->first == "us-central1-a");
  CHECK(parts->second == name);
  CHECK_FALSE(gcp_split_cloud_id("i-0abc"));
  CHECK_FALSE(gcp_split_cloud_id("a/b/c"));
  CHECK(gcp_region_of_zone("europe-west1-b") == "europe-west1");
}

TEST_CASE("gcp labels: ownership tags become labels and come back - a tag no label can be "
          "is refused") {
  tag_map tags{{ownership_tag::engine, "e1"}, {ownership_tag::request, "r1"}, {"team", "ml"},
               {ownership_tag::name, "Trainer-1"}};
  auto labels = gcp_labels_of(tags);
  REQUIRE(labels.error.empty());
  CHECK(labels.labels == tag_map{{"styx-engine", "e1"}, {"styx-request", "r1"}, {"team", "ml"}});
  auto back = gcp_tags_of(labels.labels, "styx-0123abcd-0000-4000-8000-00000000beef");
  CHECK(back.at(ownership_tag::engine) == "e1");
  CHECK(back.at(ownership_tag::request) == "r1");
  CHECK(back.at(ownership_tag::instance) == "0123abcd-0000-4000-8000-00000000beef");
  CHECK(back.at("team") == "ml");
  CHECK_FALSE(gcp_labels_of({{"Team", "ml"}}).error.empty());
  CHECK_FALSE(gcp_labels_of({{"team", "ML"}}).error.empty());
  CHECK_FALSE(gcp_labels_of({{"styx-engine", "x"}}).error.empty());
  CHECK_FALSE(gcp_labels_of({{std::string(64, 'a'), "x"}}).error.empty());
  CHECK(gcp_valid_label_key("a_b-9"));
  CHECK_FALSE(gcp_valid_label_key("9ab"));
  CHECK(gcp_valid_label_value(""));
}

TEST_CASE("gcp filters: labels and names and operations in Compute's filter syntax") {
  auto f = gcp_label_filter({{ownership_tag::engine, "e1"}, {"team", "ml"}});
  REQUIRE(f);
  CHECK(*f == R"((labels.styx-engine = "e1") (labels.team = "ml"))");
  CHECK(gcp_label_filter({})->empty());
  CHECK_FALSE(gcp_label_filter({{"Bad:Key", "v"}}));
  std::vector<std::string> names{"styx-a", "styx-b"};
  CHECK(gcp_name_filter(names.data(), names.size()) == R"x(name eq "(styx-a|styx-b)")x");
  CHECK(gcp_name_filter(names.data(), 1, "targetLink", ".*/instances/")
        == R"x(targetLink eq ".*/instances/(styx-a)")x");
  CHECK(gcp_percent_encode(R"x(name eq "(a|b)")x") == "name%20eq%20%22%28a%7Cb%29%22");
}

TEST_CASE("gcp requests: bulkInsert names every instance all or nothing - spot is SPOT and "
          "deleted when preempted") {
  gcp_launch l{"e2-micro", "projects/debian-cloud/global/images/family/debian-12",
               "global/networks/default", "", market_kind::spot, {{"styx-engine", "e1"}}};
  auto body = gcp_bulk_insert_body(l, {"styx-a", "styx-b"});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  CHECK(int64_t(doc["count"]) == 2);
  CHECK(int64_t(doc["minCount"]) == 2);
  CHECK(doc["perInstanceProperties"]["styx-a"].is_object());
  CHECK(doc["perInstanceProperties"]["styx-b"].is_object());
  auto props = doc["instanceProperties"];
  CHECK(std::string_view(props["machineType"]) == "e2-micro");
  CHECK(std::string_view(props["labels"]["styx-engine"]) == "e1");
  CHECK(std::string_view(props["scheduling"]["provisioningModel"]) == "SPOT");
  CHECK(std::string_view(props["scheduling"]["instanceTerminationAction"]) == "DELETE");
  l.market = market_kind::on_demand;
  auto one = gcp_insert_body(l, "us-central1-a", "styx-a");
  REQUIRE(parser.parse(one).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["name"]) == "styx-a");
  CHECK(std::string_view(doc["machineType"]) == "zones/us-central1-a/machineTypes/e2-micro");
  CHECK(doc["scheduling"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view(doc["disks"].at(0)["initializeParams"]["sourceImage"])
        == "projects/debian-cloud/global/images/family/debian-12");
}

TEST_CASE("gcp requests: a requestId is a UUID - the same for every retry of a call and "
          "different per instance and per call") {
  auto a = gcp_request_id("styx-1-7");
  CHECK(a == gcp_request_id("styx-1-7"));
  CHECK(a != gcp_request_id("styx-1-8"));
  CHECK(gcp_request_id("styx-1-7", "z/a") != gcp_request_id("styx-1-7", "z/b"));
  REQUIRE(uuid::parse(a));
  CHECK(a[14] == '4');
}

TEST_CASE("gcp json: an Operation DONE with Compute's capacity error") {
  auto op = gcp_parse_operation(R"({"kind":"compute#operation","id":"1","name":"operation-1-a",
    "zone":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a",
    "operationType":"bulkInsert","targetLink":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instances/bulkInsert",
    "status":"DONE","progress":100,"clientOperationId":"rid",
    "error":{"errors":[{"code":"ZONE_RESOURCE_POOL_EXHAUSTED","message":"The zone does not have enough resources"}]},
    "httpErrorStatusCode":503,"httpErrorMessage":"SERVICE UNAVAILABLE"})");
  REQUIRE(op);
  CHECK(op->done());
  CHECK(op->zone == "us-central1-a");
  CHECK(op->client_operation_id == "rid");
  auto err = gcp_operation_error(*op, true);
  CHECK(err.kind == error_kind::capacity);
  CHECK(err.code == "ZONE_RESOURCE_POOL_EXHAUSTED");
  CHECK_FALSE(gcp_parse_operation(R"({"kind":"compute#instance","name":"x"})"));
  CHECK_FALSE(gcp_parse_operation("<html>"));
}

TEST_CASE("gcp json: an aggregated list and a zone list give the same instances") {
  std::string inst = R"({"kind":"compute#instance","name":"styx-0123abcd-0000-4000-8000-00000000beef",
    "zone":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-b",
    "machineType":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-b/machineTypes/e2-small",
    "status":"STAGING","creationTimestamp":"2024-05-01T10:00:00.250-07:00",
    "labels":{"styx-engine":"e1","styx-request":"r1"},
    "scheduling":{"provisioningModel":"SPOT"},
    "selfLink":"https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-b/instances/x"})";
  auto agg = gcp_parse_instances(R"({"kind":"compute#instanceAggregatedList","items":{
    "zones/us-central1-a":{"warning":{"code":"NO_RESULTS_ON_PAGE"}},
    "zones/us-central1-b":{"instances":[)" + inst + R"(]}},"nextPageToken":"t2"})");
  auto list = gcp_parse_instances(R"({"kind":"compute#instanceList","items":[)" + inst + "]}");
  REQUIRE(agg);
  REQUIRE(list);
  CHECK(agg->next_page_token == "t2");
  REQUIRE(agg->instances.size() == 1);
  REQUIRE(list->instances.size() == 1);
  auto& ci = agg->instances[0];
  CHECK(ci.cloud_id == "us-central1-b/styx-0123abcd-0000-4000-8000-00000000beef");
  CHECK(ci.zone == "us-central1-b");
  CHECK(ci.instance_type == "e2-small");
  CHECK(ci.state == instance_state::pending);
  CHECK(ci.market == market_kind::spot);
  CHECK(ci.owner_instance() == id_of("0123abcd-0000-4000-8000-00000000beef"));
  CHECK(ci.tags.at(ownership_tag::engine) == "e1");
  CHECK(ci.launched_at == 1714582800250);
  CHECK(list->instances[0].cloud_id == ci.cloud_id);
  CHECK(gcp_parse_instances(R"({"kind":"compute#instanceList"})")->instances.empty());
}

TEST_CASE("gcp json: an instance without scheduling - or an answer of another kind - is read and not thrown") {
  // Found by fuzz/gcp_json_fuzz.cpp: a missing "scheduling" threw simdjson_error out of the
  // parser (inside an HTTP callback: the end of the process).
  auto page = gcp_parse_instances(R"({"items":[{"name":"styx-a","status":"RUNNING"}]})");
  REQUIRE(page);
  REQUIRE(page->instances.size() == 1);
  CHECK(page->instances[0].market == market_kind::on_demand);
  CHECK(page->instances[0].state == instance_state::running);
  CHECK(gcp_parse_instances(R"({"items":[{"id":"1","kind":"compute#zone"}]})"));
}

TEST_CASE("gcp json: statuses and times") {
  CHECK(gcp_state_of("PROVISIONING") == instance_state::pending);
  CHECK(gcp_state_of("STAGING") == instance_state::pending);
  CHECK(gcp_state_of("RUNNING") == instance_state::running);
  CHECK(gcp_state_of("STOPPING") == instance_state::stopping);
  CHECK(gcp_state_of("TERMINATED") == instance_state::stopped);
  CHECK(gcp_state_of("SUSPENDED") == instance_state::stopped);
  CHECK(gcp_parse_time("1970-01-01T00:00:01Z") == 1000);
  CHECK(gcp_parse_time("1970-01-01T01:00:00+01:00") == 0);
  CHECK(gcp_parse_time("yesterday") == 0);
}

TEST_CASE("gcp errors: the table of issue 13") {
  CHECK(gcp_error_from(answer(403, google_error(403, "rateLimitExceeded"))).kind
        == error_kind::throttled);
  CHECK(gcp_error_from(answer(429, google_error(429, "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED")))
          .kind
        == error_kind::throttled);
  CHECK(gcp_error_from(answer(429, "")).kind == error_kind::throttled);
  CHECK(gcp_error_kind("ZONE_RESOURCE_POOL_EXHAUSTED", 503) == error_kind::capacity);
  CHECK(gcp_error_kind("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", 0) == error_kind::capacity);
  CHECK(gcp_error_kind("insufficientCapacity", 503) == error_kind::capacity);
  CHECK(gcp_error_kind("QUOTA_EXCEEDED", 403) == error_kind::quota);
  CHECK(gcp_error_from(answer(403, google_error(403, "quotaExceeded"))).kind == error_kind::quota);
  CHECK(gcp_error_from(answer(401, google_error(401, "authError", "UNAUTHENTICATED"))).kind
        == error_kind::auth);
  CHECK(gcp_error_from(answer(403, google_error(403, "forbidden"))).kind == error_kind::auth);
  CHECK(gcp_error_from(answer(403, google_error(403, "insufficientPermissions"))).kind
        == error_kind::auth);
  CHECK(gcp_error_from(answer(400, google_error(400, "invalid", "INVALID_ARGUMENT"))).kind
        == error_kind::invalid_request);
  CHECK(gcp_error_from(answer(404, google_error(404, "notFound", "NOT_FOUND"))).kind
        == error_kind::not_found);
  CHECK(gcp_error_from(answer(503, google_error(503, "backendError", "UNAVAILABLE"))).kind
        == error_kind::transient);
  CHECK(gcp_error_from(answer(502, "<html>bad gateway</html>")).kind == error_kind::transient);
  CHECK(gcp_error_from(answer(400, google_error(400, "resourceNotReady"))).kind
        == error_kind::transient);
  http_response timed_out;
  timed_out.timed_out = true;
  CHECK(gcp_error_from(timed_out).kind == error_kind::timeout);
  CHECK(gcp_error_from(http_response{}).kind == error_kind::transient);
  auto throttled = answer(429, "");
  throttled.headers.emplace_back("Retry-After", "3");
  CHECK(gcp_error_from(throttled).retry_after_ms == 3000);
  CHECK_FALSE(gcp_error_from(answer(200, "{}")));
}

TEST_CASE("gcp errors: an operation's error is final and never worth asking again") {
  gcp_operation op;
  op.name = "operation-1";
  op.status = "DONE";
  op.error_code = "INTERNAL_ERROR";
  op.http_error_status = 500;
  CHECK(gcp_operation_error(op, true).kind == error_kind::capacity);
  CHECK(gcp_operation_error(op, false).kind == error_kind::fatal);
  op.error_code = "QUOTA_EXCEEDED";
  CHECK(gcp_operation_error(op, true).kind == error_kind::quota);
  op.error_code.clear();
  CHECK_FALSE(gcp_operation_error(op, true));
}

TEST_CASE("gcp catalog: the machine types Compute describes with the table's prices") {
  std::vector<gcp_machine_type> described{{"e2-micro", "us-central1-a", 2, 1},
                                          {"e2-micro", "us-central1-b", 2, 1},
                                          {"x9-unknown", "us-central1-a", 4, 4},
                                          {"e2-micro", "europe-west1-b", 2, 1}};
  auto cat = gcp_catalog({"gcp", "us-central1"}, {"us-central1-a", "us-central1-b"}, described);
  REQUIRE(cat.size() == 2);
  CHECK(cat[0].zone == "us-central1-a");
  CHECK(cat[0].instance_type == "e2-micro");
  CHECK(cat[0].on_demand_price == Approx(0.00838));
  CHECK(cat[0].spot_price > 0);
  CHECK(cat[0].spot_price < cat[0].on_demand_price);
  auto* g2 = gcp_price_of("g2-standard-4");
  REQUIRE(g2 != nullptr);
  CHECK(g2->gpus == 1);
  CHECK(std::string{g2->gpu_kind} == "L4");
  CHECK(gcp_catalog({"gcp", "r"}, {"r-a"}, {}).size() == gcp_price_table().size());
}

TEST_CASE("gcp quotas: a project's per-minute quotas as buckets shared by its regions") {
  auto one = gcp_rate_limits(gcp_quotas{1500, 1200}, 1);
  CHECK(one.create.capacity == 1500);
  CHECK(one.create.refill_per_sec == Approx(25));
  CHECK(one.mutate.capacity == 1500);
  CHECK(one.describe.capacity == 1200);
  CHECK(one.create_instances.unlimited());
  auto three = gcp_rate_limits(gcp_quotas{1500, 1500}, 3);
  CHECK(three.create.capacity == 500);
  CHECK(gcp_rate_limits(gcp_quotas{0, 0}, 1).create.unlimited());
}
