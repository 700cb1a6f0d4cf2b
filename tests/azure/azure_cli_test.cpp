// The CLI on Azure, against the fake Resource Manager over HTTPS: `styx up --provider azure`,
// `styx status`, `styx down`, `styx bench --provider azure`; bad credentials and flags answered
// in one line with a non-zero exit; the client secret and the tokens never reach a log, even
// at -vv.

#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/azure/azure_fake_fixture.hpp"
#include "tests/crash_cli.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string temp_state(const std::string& tag) {
  auto dir = (std::filesystem::temp_directory_path()
              / ("styx-azure-cli-" + tag + "-" + std::to_string(::getpid())))
               .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "-scratch");
  return dir;
}

void remove_state(const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(dir + "-scratch");
}

int64_t lines(const std::string& s) {
  return std::count(s.begin(), s.end(), '\n');
}

} // namespace

TEST_CASE("azure cli: styx up --provider azure then status and down - no secret in the log") {
  azure_fake fake;
  fake.use_env();
  auto dir = temp_state("up");
  auto up = run_styx_captured(dir, {"-vv", "up", "--provider", "azure", "--count", "20", "--tag",
                                    "team=ml"}, dir + "-scratch");
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  CHECK(up.out.find("20/20 running") != std::string::npos);
  auto seen = sdk_vms(fake, "team=ml");
  CHECK(seen.size() == 20);
  for (auto* secret : {azure_test_secret, "Bearer", "access_token", "aad-token-"}) {
    INFO(secret);
    CHECK(up.out.find(secret) == std::string::npos);
    CHECK(up.err.find(secret) == std::string::npos);
  }
  auto status = run_styx_captured(dir, {"status"}, dir + "-scratch");
  CHECK(status.rc == 0);
  CHECK(status.out.find("azure/eastus") != std::string::npos);
  auto down = run_styx_captured(dir, {"down", "--all"}, dir + "-scratch");
  INFO(down.out << down.err);
  CHECK(down.rc == 0);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  remove_state(dir);
}

TEST_CASE("azure cli: styx bench --provider azure makes and ends its VMs") {
  azure_fake fake;
  fake.use_env();
  auto dir = temp_state("bench");
  auto r = run_styx_captured(dir, {"bench", "--provider", "azure", "-n", "200", "--json"},
                             dir + "-scratch");
  INFO(r.out.substr(0, 600) << r.err.substr(0, 600));
  CHECK(r.rc == 0);
  CHECK(r.out.find("\"cloud\":\"azure\"") != std::string::npos);
  CHECK(r.out.find("\"running\":200") != std::string::npos);
  CHECK(r.out.find("\"failed\":0") != std::string::npos);
  CHECK(fake.stat("created", "") == 200);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));
  remove_state(dir);
}

TEST_CASE("azure cli: bad credentials and flags get one line and a non-zero exit") {
  azure_fake fake;
  fake.use_env("not-the-secret");
  auto dir = temp_state("bad");
  auto wrong = run_styx_captured(dir, {"up", "--provider", "azure", "--count", "1"},
                                 dir + "-scratch", std::chrono::seconds(60));
  INFO(wrong.out << wrong.err);
  CHECK(wrong.rc != 0);
  CHECK((wrong.out + wrong.err).find("invalid_client") != std::string::npos);
  CHECK((wrong.out + wrong.err).find("not-the-secret") == std::string::npos);
  CHECK(fake.stat("virtualMachines.createOrUpdate") == 0);
  unsetenv("AZURE_CLIENT_SECRET");
  auto none = run_styx_captured(dir, {"up", "--provider", "azure", "--count", "1"},
                                dir + "-scratch");
  CHECK(none.rc != 0);
  CHECK(none.err == "styx: azure/eastus: no Azure credentials: set AZURE_CLIENT_SECRET (a "
                    "service principal's client secret, as the Azure SDK reads them)\n");
  fake.use_env();
  setenv("STYX_AZURE_ARM_ENDPOINT", "http://127.0.0.1:1/", 1);
  auto plain = run_styx_captured(dir, {"up", "--provider", "azure", "--count", "1"},
                                 dir + "-scratch");
  CHECK(plain.rc != 0);
  CHECK(lines(plain.err) == 1);
  CHECK(plain.err.find("https") != std::string::npos);
  fake.use_env();
  auto location = run_styx_captured(dir, {"up", "--provider", "azure", "--region", "East US",
                                          "--count", "1"}, dir + "-scratch");
  CHECK(location.rc != 0);
  CHECK(lines(location.err) == 1);
  CHECK(run_styx_captured(dir, {"up", "--provider", "azurr", "--count", "1"}, dir + "-scratch").rc
        == 2);
  remove_state(dir);
}

TEST_CASE("azure cli: the fake's CA is trusted through REQUESTS_CA_BUNDLE alone - without it "
          "the endpoint is refused in plain words") {
  azure_fake fake;
  fake.use_env();
  unsetenv("STYX_AZURE_CA_BUNDLE"); // REQUESTS_CA_BUNDLE, as az and the SDK read it, is left
  auto dir = temp_state("ca");
  auto up = run_styx_captured(dir, {"up", "--provider", "azure", "--count", "2"}, dir + "-scratch");
  INFO(up.out << up.err);
  CHECK(up.rc == 0);
  CHECK(sdk_vms(fake).size() == 2);
  CHECK(run_styx_captured(dir, {"down", "--all"}, dir + "-scratch").rc == 0);
  CHECK(fake.wait_until([](auto& all) { return all.empty(); }));

  unsetenv("REQUESTS_CA_BUNDLE");
  auto dir2 = temp_state("noca");
  auto refused = run_styx_captured(dir2, {"up", "--provider", "azure", "--count", "2"},
                                   dir2 + "-scratch");
  INFO(refused.out << refused.err);
  CHECK(refused.rc != 0);
  auto all = refused.out + refused.err;
  CHECK(all.find("TLS certificate is not trusted") != std::string::npos);
  CHECK(all.find("REQUESTS_CA_BUNDLE") != std::string::npos);
  CHECK(all.find("system_error") == std::string::npos);
  CHECK(all.find(azure_test_secret) == std::string::npos);
  CHECK(fake.vms().empty()); // the fake's own state
  fake.use_env();
  remove_state(dir);
  remove_state(dir2);
}
