// The CLI on GCP, against the fake Compute API (and moto for the two-cloud case):
// `styx up --provider gcp`, `styx status`, `styx down`, `styx bench --provider gcp`; one
// request over aws and gcp where the cheapest fitting offering wins and capacity errors fail
// over to the other cloud; bad credentials and flags answered in one line with a non-zero exit.

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <simdjson.h>

#include "tests/crash_cli.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"
#include "tests/styx_cli.hpp"
#include "tests/tls_front.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string temp_state(const std::string& tag) {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-gcp-cli-" + tag + "-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  return dir;
}

/// Live instances per provider cloud in `styx status --json`.
std::map<std::string, int> live_by_cloud(const std::string& dir) {
  auto r = styx_cli(dir, "status --json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::map<std::string, int> out;
  if (parser.parse(r.out).get(doc) != simdjson::SUCCESS)
    return out;
  simdjson::dom::array xs;
  if (doc.get(xs) != simdjson::SUCCESS && doc["instances"].get(xs) != simdjson::SUCCESS)
    return out;
  for (auto x : xs) {
    std::string_view state = x["state"], provider = x["provider"];
    if (state == "running" || state == "pending")
      ++out[std::string(provider.substr(0, provider.find('/')))];
  }
  return out;
}

} // namespace

TEST_CASE("gcp cli: styx up --provider gcp then status and down") {
  gcp_fake fake;
  fake.use_env();
  auto dir = temp_state("up");
  auto up = styx_cli(dir, "up --provider gcp --count 20 --tag team=ml");
  INFO(up.out);
  REQUIRE(up.rc == 0);
  CHECK(up.out.find("20/20 running") != std::string::npos);
  CHECK(live_by_cloud(dir)["gcp"] == 20);
  CHECK(gcloud_instances("labels.team=ml").size() == 20);
  auto down = styx_cli(dir, "down --all");
  INFO(down.out);
  CHECK(down.rc == 0);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  std::filesystem::remove_all(dir);
}

TEST_CASE("gcp cli: styx bench --provider gcp makes and ends its instances") {
  gcp_fake fake;
  fake.use_env();
  auto dir = temp_state("bench");
  auto r = styx_cli(dir, "bench --provider gcp -n 200 --shape mix --json");
  INFO(r.out.substr(0, 600));
  CHECK(r.rc == 0);
  CHECK(r.out.find("\"cloud\":\"gcp\"") != std::string::npos);
  CHECK(r.out.find("\"running\":200") != std::string::npos);
  CHECK(r.out.find("\"failed\":0") != std::string::npos);
  CHECK(fake.stat("instances_created") == 200);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  // The same seed again: Compute remembers requestIds, and a run that reused the first run's
  // would be answered with its long-deleted instances (each would end as vanished).
  auto again = styx_cli(dir, "bench --provider gcp -n 200 --requests 20 --seed 1 --json");
  INFO(again.out.substr(0, 600));
  CHECK(again.rc == 0);
  CHECK(again.out.find("\"running\":200") != std::string::npos);
  CHECK(fake.stat("instances_created") == 400);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  std::filesystem::remove_all(dir);
}

TEST_CASE("gcp cli: one request over aws and gcp - the cheapest first - capacity errors "
          "fail over to the other cloud") {
  gcp_fake fake;
  fake.use_env();
  moto_fixture moto;
  use_aws_env(moto.endpoint());
  auto dir = temp_state("two");
  auto both = "up --provider aws --provider gcp --region us-east-1 --region us-central1 ";
  // e2-micro ($0.0084/h) is cheaper than t3.micro ($0.0104/h), the cheapest that fit 1 vCPU and
  // 1 GiB on either cloud.
  auto first = styx_cli(dir, both + std::string{"--count 10 --name cheap"});
  INFO(first.out);
  REQUIRE(first.rc == 0);
  auto live = live_by_cloud(dir);
  CHECK(live["gcp"] == 10);
  CHECK(live["aws"] == 0);
  // No capacity left in any zone of us-central1: the next request ends up on EC2.
  for (auto* z : {"us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"})
    fake.faults(std::string{R"({"zone":")"} + z + R"(","capacity":0})");
  auto second = styx_cli(dir, both + std::string{"--count 10 --name over"});
  INFO(second.out);
  REQUIRE(second.rc == 0);
  live = live_by_cloud(dir);
  CHECK(live["gcp"] == 10);
  CHECK(live["aws"] == 10);
  CHECK(fake.stat("create_errors_ZONE_RESOURCE_POOL_EXHAUSTED") >= 4);
  CHECK(styx_cli(dir, "down --all").rc == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("gcp cli: bad credentials and flags get one line and a non-zero exit") {
  gcp_fake fake;
  fake.use_env("");
  auto dir = temp_state("bad");
  auto key = dir + "-key.json";
  std::ofstream(key) << "{\"type\":\"service_account\",\"client_email\":\"a@b\"}";
  setenv("GOOGLE_APPLICATION_CREDENTIALS", key.c_str(), 1);
  auto r = styx_cli(dir, "up --provider gcp --count 1");
  INFO(r.out);
  CHECK(r.rc != 0);
  CHECK(r.out == "styx: gcp/us-central1: " + key + ": a service_account key without private_key\n");
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  auto none = styx_cli(dir, "up --provider gcp --count 1");
  CHECK(none.rc != 0);
  CHECK(none.out.rfind("styx: gcp/us-central1: no GCP credentials found; looked in:", 0) == 0);
  CHECK(std::count(none.out.begin(), none.out.end(), '\n') == 1);
  fake.use_env();
  auto region = styx_cli(dir, "up --provider gcp --region Not_A_Region --count 1");
  CHECK(region.rc != 0);
  CHECK(std::count(region.out.begin(), region.out.end(), '\n') == 1);
  CHECK(styx_cli(dir, "up --provider gcq --count 1").rc == 2);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(key);
}

TEST_CASE("gcp cli: a self-signed Compute endpoint is refused in plain words unless "
          "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE trusts its CA") {
  gcp_fake fake;
  fake.use_env();
  self_signed_cert cert;
  tls_front front(fake.base(), cert);
  setenv("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", (front.endpoint() + "/compute/v1/").c_str(), 1);
  unsetenv("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE");
  auto dir = temp_state("tls");
  auto refused = styx_cli(dir, "up --provider gcp --count 2");
  INFO(refused.out);
  CHECK(refused.rc != 0);
  CHECK(refused.out.find("TLS certificate is not trusted") != std::string::npos);
  CHECK(refused.out.find("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE") != std::string::npos);
  CHECK(fake.statuses().empty()); // the fake's own view

  setenv("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", cert.cert_file().c_str(), 1);
  auto up = styx_cli(dir, "up --provider gcp --count 2");
  INFO(up.out);
  CHECK(up.rc == 0);
  CHECK(fake.statuses().size() == 2);
  CHECK(styx_cli(dir, "down --all").rc == 0);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  unsetenv("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE");
  fake.use_env();
  std::filesystem::remove_all(dir);
}
