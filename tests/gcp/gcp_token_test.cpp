// The JWT and the token exchange end to end against the fake's token endpoint (which checks
// the RS256 signature with the service account's public key, the audience and the times): a
// key file becomes a token that Compute accepts; calls share one exchange and count it; a
// token is exchanged again before it expires and after Compute refused it; a key the endpoint
// does not know is an auth error, and no secret reaches an error message.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "providers/gcp/gcp_api.hpp"
#include "providers/gcp/gcp_auth.hpp"
#include "runtime/http_engine.hpp"
#include "tests/gcp/gcp_fake_fixture.hpp"
#include "tests/gcp/gcp_key.hpp"

using namespace styx;
using namespace styx::test;

namespace {

struct key_files {
  std::string dir = (std::filesystem::temp_directory_path()
                     / ("styx-gcp-keys-" + std::to_string(::getpid())))
                      .string();
  test_key known = make_rsa_key();
  key_files() { std::filesystem::create_directories(dir); }
  ~key_files() { std::filesystem::remove_all(dir); }
  std::string path(const std::string& name) const { return dir + "/" + name; }
};

api_reply list_once(gcp_api& api) {
  api_call c;
  c.op = api_op::list;
  auto p = std::make_shared<std::promise<api_reply>>();
  auto f = p->get_future();
  api.start(c, [p](api_reply r) { p->set_value(std::move(r)); });
  REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return f.get();
}

gcp_credentials credentials(const std::string& json) {
  auto parsed = gcp_parse_credentials(json, "key.json");
  REQUIRE(parsed.error.empty());
  return parsed.creds;
}

/// A fake that knows `keys.known` (by its key file: its public half and client_email), and a
/// gcp_api whose tokens are exchanged with the credentials of `signer` at the fake's own token
/// endpoint (the JWT's audience).
struct exchange_env {
  key_files keys;
  std::unique_ptr<gcp_fake> fake;
  http_engine http;
  system_clock clk;
  gcp_token_source_ptr tokens;
  std::unique_ptr<gcp_api> api;

  exchange_env(std::vector<std::string> fake_args, const test_key* signer = nullptr) {
    write_file(keys.path("k.json"), service_account_json(keys.known, "http://unused/token"));
    gcp_fake::options o;
    o.args = {"--service-account", keys.path("k.json")};
    o.args.insert(o.args.end(), fake_args.begin(), fake_args.end());
    fake = std::make_unique<gcp_fake>(o);
    auto creds = credentials(service_account_json(signer ? *signer : keys.known,
                                                  fake->token_uri()));
    tokens = gcp_exchanged_token(creds, keys.path("k.json"), http, clk);
    api = std::make_unique<gcp_api>(provider_id{"gcp", "us-central1"}, gcp_test_project,
                                    fake->endpoint(), tokens, http, clk);
  }
};

} // namespace

TEST_CASE("gcp token: a service-account key is exchanged at its token_uri once for calls "
          "that ask together and counted by the call that made it") {
  exchange_env env{{}};
  auto& fake = *env.fake;
  auto& api = *env.api;
  auto& tokens = env.tokens;
  std::vector<std::future<api_reply>> answers;
  for (int i = 0; i < 8; ++i) {
    auto p = std::make_shared<std::promise<api_reply>>();
    answers.push_back(p->get_future());
    api_call c;
    c.op = api_op::list;
    api.start(c, [p](api_reply r) { p->set_value(std::move(r)); });
  }
  uint32_t requests = 0;
  for (auto& f : answers) {
    REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    auto r = f.get();
    CHECK_FALSE(r.error);
    requests += r.requests;
  }
  CHECK(fake.stat("jwt_grants", "auth") == 1);
  CHECK(fake.stat("issued", "auth") == 1);
  CHECK(requests == 9); // 8 lists and the one exchange
  CHECK(api.requests() == 9);
  CHECK(tokens->describe().find("PRIVATE") == std::string::npos);
  CHECK_FALSE(list_once(api).error); // cached
  CHECK(fake.stat("jwt_grants", "auth") == 1);
  // A token Compute refuses (revoked) fails that call as auth; the next call exchanges again.
  fake.post("/fake/revoke", "{}");
  CHECK(list_once(api).error.kind == error_kind::auth);
  auto again = list_once(api);
  CHECK_FALSE(again.error);
  CHECK(again.requests == 2);
  CHECK(fake.stat("jwt_grants", "auth") == 2);
}

TEST_CASE("gcp token: a short-lived token is exchanged again before it expires") {
  exchange_env env{{"--token-lifetime", "2"}};
  auto& fake = *env.fake;
  auto& api = *env.api;
  CHECK_FALSE(list_once(api).error);
  CHECK_FALSE(list_once(api).error);
  CHECK(fake.stat("issued", "auth") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1800)); // past 4/5 of the lifetime
  auto r = list_once(api);
  CHECK_FALSE(r.error);
  CHECK(r.requests == 2);
  CHECK(fake.stat("issued", "auth") == 2);
}

TEST_CASE("gcp token: a key the token endpoint does not know is an auth error without secrets") {
  auto stranger = make_rsa_key();
  exchange_env env{{}, &stranger};
  auto& fake = *env.fake;
  auto& api = *env.api;
  auto r = list_once(api);
  CHECK(r.error.kind == error_kind::auth);
  CHECK(r.error.code == "invalid_grant");
  CHECK(r.error.message.find("Invalid JWT Signature") != std::string::npos);
  CHECK(r.error.message.find("PRIVATE") == std::string::npos);
  CHECK(r.requests == 1);
  CHECK(fake.stat("refused", "auth") == 1);
  CHECK(fake.stat("requests") == 0); // Compute never saw a call without a token
}
