// GCP credentials without a network: key files parsed, the JWT signed RS256 and verified with
// the key's public half, the token request's shape, the token answer read, and the chain that
// finds credentials, project, region and endpoint as gcloud does. Nothing secret appears in an
// error or a description.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "providers/gcp/gcp_auth.hpp"
#include "runtime/gcp_settings.hpp"
#include "tests/gcp/gcp_key.hpp"

using namespace styx;
using namespace styx::test;

namespace {

std::string unbase64url(std::string s) {
  for (auto& c : s)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4 != 0)
    s += '=';
  std::string out(s.size(), '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(s.data()),
                           static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n) - (s.size() - s.find_last_not_of('=') - 1));
  return out;
}

bool verify_rs256(const std::string& public_pem, const std::string& input, const std::string& sig) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
    BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
    PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return key && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1
         && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                             sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size())
              == 1;
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto i = vars.find(name);
    if (i == vars.end())
      return std::nullopt;
    return i->second;
  };
}

struct temp_dir {
  std::string path;
  explicit temp_dir(const std::string& tag)
    : path((std::filesystem::temp_directory_path()
            / ("styx-gcp-" + tag + "-" + std::to_string(::getpid())))
             .string()) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path + "/configurations");
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

} // namespace

TEST_CASE("gcp auth: a service-account key signs a JWT that its public key verifies") {
  auto key = make_rsa_key();
  auto parsed = gcp_parse_credentials(service_account_json(key, "https://oauth2.example/token"),
                                      "key.json");
  REQUIRE(parsed.error.empty());
  auto& sa = parsed.creds;
  CHECK(sa.type == gcp_credentials::kind::service_account);
  CHECK(sa.project_id == "styx-test");
  CHECK(sa.who() == "service account styx-ci@styx-test.iam.gserviceaccount.com");
  auto jwt = gcp_sign_jwt(sa, gcp_compute_scope, 1'700'000'000'000);
  REQUIRE(jwt.error.empty());
  auto first = jwt.jwt.find('.');
  auto second = jwt.jwt.find('.', first + 1);
  REQUIRE(second != std::string::npos);
  auto header = unbase64url(jwt.jwt.substr(0, first));
  auto claims = unbase64url(jwt.jwt.substr(first + 1, second - first - 1));
  CHECK(header == R"({"alg":"RS256","typ":"JWT","kid":"k1"})");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(claims).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["iss"]) == "styx-ci@styx-test.iam.gserviceaccount.com");
  CHECK(std::string_view(doc["aud"]) == "https://oauth2.example/token");
  CHECK(std::string_view(doc["scope"]) == gcp_compute_scope);
  CHECK(int64_t(doc["iat"]) == 1'700'000'000);
  CHECK(int64_t(doc["exp"]) == 1'700'003'600);
  CHECK(verify_rs256(key.public_pem, jwt.jwt.substr(0, second),
                     unbase64url(jwt.jwt.substr(second + 1))));
  CHECK_FALSE(verify_rs256(make_rsa_key().public_pem, jwt.jwt.substr(0, second),
                           unbase64url(jwt.jwt.substr(second + 1))));

  auto req = gcp_make_token_request(sa, 1'700'000'000'000, seconds(5));
  REQUIRE(req.error.empty());
  CHECK(req.request.method == "POST");
  CHECK(req.request.url == "https://oauth2.example/token");
  CHECK(req.request.body.rfind("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                               "&assertion=",
                               0)
        == 0);
}

TEST_CASE("gcp auth: bad keys and token answers give one line without a secret") {
  auto key = make_rsa_key();
  CHECK(gcp_parse_credentials("not json", "k.json").error == "k.json: not a JSON object");
  CHECK(gcp_parse_credentials(R"({"type":"external_account"})", "k.json").error.find("not supported")
        != std::string::npos);
  CHECK(gcp_parse_credentials(R"({"type":"service_account","client_email":"a@b"})", "k.json").error
        == "k.json: a service_account key without private_key");
  auto broken = gcp_parse_credentials(
    R"({"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nxyz\n-----END PRIVATE KEY-----\n"})",
    "k.json");
  REQUIRE(broken.error.empty());
  auto jwt = gcp_sign_jwt(broken.creds, gcp_compute_scope, 0);
  CHECK(jwt.error == "the private_key of service account a@b is not a PEM RSA private key");

  http_response refused;
  refused.status = 400;
  refused.body = R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})";
  auto a = gcp_read_token_answer(refused, 0);
  CHECK(a.error.kind == error_kind::auth);
  CHECK(a.error.code == "invalid_grant");
  http_response ok;
  ok.status = 200;
  ok.body = R"({"access_token":"ya29.secret","expires_in":120,"token_type":"Bearer"})";
  auto b = gcp_read_token_answer(ok, 1000);
  REQUIRE_FALSE(b.error);
  CHECK(b.token.access_token == "ya29.secret");
  CHECK(b.token.expires_at == 121'000);
  http_response down;
  down.status = 503;
  CHECK(gcp_read_token_answer(down, 0).error.kind == error_kind::transient);
  auto user = gcp_parse_credentials(
    R"({"type":"authorized_user","client_id":"cid","client_secret":"cs","refresh_token":"rt"})",
    "adc.json");
  REQUIRE(user.error.empty());
  CHECK(user.creds.token_uri == gcp_default_token_uri);
  auto ureq = gcp_make_token_request(user.creds, 0, seconds(5));
  CHECK(ureq.request.body == "grant_type=refresh_token&client_id=cid&client_secret=cs"
                             "&refresh_token=rt");
  CHECK(user.creds.who().find("cs") == std::string::npos);
}

TEST_CASE("gcp settings: a direct token with the project and the endpoint override as gcloud") {
  auto got = resolve_gcp_settings(
    "", "", env_of({{"CLOUDSDK_AUTH_ACCESS_TOKEN", "tok-secret"}, {"CLOUDSDK_CORE_PROJECT", "p-1"},
                    {"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "http://127.0.0.1:9/compute/v1"},
                    {"HOME", "/nonexistent"}}));
  REQUIRE(std::holds_alternative<gcp_settings>(got));
  auto& s = std::get<gcp_settings>(got);
  CHECK(s.access_token == "tok-secret");
  CHECK(s.project == "p-1");
  CHECK(s.project_source == "CLOUDSDK_CORE_PROJECT");
  CHECK(s.region == "us-central1");
  CHECK(s.endpoint == "http://127.0.0.1:9/compute/v1/");
  CHECK_FALSE(s.endpoint_is_default);
  CHECK(s.describe().find("tok-secret") == std::string::npos);
}

TEST_CASE("gcp settings: a key file and gcloud's configuration and the order of the chain") {
  temp_dir dir{"settings"};
  auto key = make_rsa_key();
  write_file(dir.path + "/key.json", service_account_json(key, "https://t/token", "key-project"));
  write_file(dir.path + "/active_config", "work\n");
  write_file(dir.path + "/configurations/config_work",
             "[core]\nproject = config-project\n[compute]\nzone = europe-west1-b\n"
             "[api_endpoint_overrides]\ncompute = https://compute.example/compute/v1/\n");
  auto base = std::map<std::string, std::string>{
    {"GOOGLE_APPLICATION_CREDENTIALS", dir.path + "/key.json"}, {"CLOUDSDK_CONFIG", dir.path}};
  auto got = resolve_gcp_settings("", "", env_of(base));
  REQUIRE(std::holds_alternative<gcp_settings>(got));
  auto& s = std::get<gcp_settings>(got);
  CHECK(s.access_token.empty());
  CHECK(s.creds.client_email == "styx-ci@styx-test.iam.gserviceaccount.com");
  CHECK(s.project == "config-project");
  CHECK(s.region == "europe-west1");
  CHECK(s.endpoint == "https://compute.example/compute/v1/");
  CHECK(s.describe().find("PRIVATE") == std::string::npos);
  // The override wins, then the environment; without a config the key's project.
  CHECK(std::get<gcp_settings>(resolve_gcp_settings("flag-project", "us-east1", env_of(base))).project
        == "flag-project");
  base["CLOUDSDK_ACTIVE_CONFIG_NAME"] = "none";
  auto keyed = std::get<gcp_settings>(resolve_gcp_settings("", "", env_of(base)));
  CHECK(keyed.project == "key-project");
  CHECK(keyed.region == "us-central1");
  // gcloud's application default credentials when nothing else is set.
  write_file(dir.path + "/application_default_credentials.json",
             service_account_json(key, "https://t/token", "adc-project"));
  auto adc = resolve_gcp_settings("", "", env_of({{"CLOUDSDK_CONFIG", dir.path},
                                                  {"CLOUDSDK_ACTIVE_CONFIG_NAME", "none"}}));
  REQUIRE(std::holds_alternative<gcp_settings>(adc));
  CHECK(std::get<gcp_settings>(adc).project == "adc-project");
}

TEST_CASE("gcp settings: what is missing or malformed is named in one line") {
  temp_dir dir{"bad"};
  auto none = resolve_gcp_settings("", "", env_of({{"CLOUDSDK_CONFIG", dir.path}}));
  REQUIRE(std::holds_alternative<std::string>(none));
  CHECK(std::get<std::string>(none).rfind("no GCP credentials found; looked in:", 0) == 0);
  auto missing = resolve_gcp_settings(
    "", "", env_of({{"GOOGLE_APPLICATION_CREDENTIALS", dir.path + "/nope.json"}}));
  CHECK(std::get<std::string>(missing).find("does not exist") != std::string::npos);
  write_file(dir.path + "/bad.json", "{\"type\":\"service_account\"}");
  auto bad = resolve_gcp_settings("", "", env_of({{"GOOGLE_APPLICATION_CREDENTIALS",
                                                   dir.path + "/bad.json"}}));
  CHECK(std::get<std::string>(bad) == dir.path + "/bad.json: a service_account key without "
                                                 "client_email");
  auto no_project = resolve_gcp_settings(
    "", "", env_of({{"CLOUDSDK_AUTH_ACCESS_TOKEN", "t"}, {"CLOUDSDK_CONFIG", dir.path}}));
  CHECK(std::get<std::string>(no_project).rfind("no GCP project; looked in:", 0) == 0);
  auto bad_region = resolve_gcp_settings(
    "", "US_EAST", env_of({{"CLOUDSDK_AUTH_ACCESS_TOKEN", "t"}, {"CLOUDSDK_CORE_PROJECT", "p"}}));
  CHECK(std::get<std::string>(bad_region).rfind("invalid GCP region 'US_EAST'", 0) == 0);
  auto bad_endpoint = resolve_gcp_settings(
    "", "", env_of({{"CLOUDSDK_AUTH_ACCESS_TOKEN", "t"}, {"CLOUDSDK_CORE_PROJECT", "p"},
                    {"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE", "ftp://x"}}));
  CHECK(std::get<std::string>(bad_endpoint).find("must start with http") != std::string::npos);
  write_file(dir.path + "/configurations/config_default", "project = no section\n");
  auto broken = resolve_gcp_settings(
    "", "", env_of({{"CLOUDSDK_AUTH_ACCESS_TOKEN", "t"}, {"CLOUDSDK_CONFIG", dir.path}}));
  CHECK(std::get<std::string>(broken).find("config_default:1:") != std::string::npos);
}
