#include "providers/gcp/gcp_auth.hpp"

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include "common/json.hpp"
#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_requests.hpp"

namespace styx {

namespace {

std::string field(simdjson::dom::element doc, const char* key) {
  std::string_view v;
  if (doc[key].get(v) == simdjson::SUCCESS)
    return std::string{v};
  return {};
}

} // namespace

std::string gcp_credentials::who() const {
  if (type == kind::authorized_user)
    return "user credentials (client " + client_id + ")";
  return "service account " + client_email;
}

gcp_credentials_result gcp_parse_credentials(std::string_view json, const std::string& where) {
  gcp_credentials_result out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    out.error = where + ": not a JSON object";
    return out;
  }
  auto type = field(doc, "type");
  auto& c = out.creds;
  c.token_uri = field(doc, "token_uri");
  if (c.token_uri.empty())
    c.token_uri = gcp_default_token_uri;
  // Every field the credentials of `what` need; false (and the error) when one is missing.
  using field_of = std::string gcp_credentials::*;
  auto take = [&](const char* what,
                  std::initializer_list<std::pair<const char*, field_of>> required,
                  std::initializer_list<std::pair<const char*, field_of>> optional) {
    for (auto& [key, member] : required) {
      c.*member = field(doc, key);
      if ((c.*member).empty()) {
        out.error = where + ": " + what + " without " + key;
        return false;
      }
    }
    for (auto& [key, member] : optional)
      c.*member = field(doc, key);
    return true;
  };
  using C = gcp_credentials;
  bool ok = false;
  if (type == "service_account") {
    c.type = C::kind::service_account;
    ok = take("a service_account key",
              {{"client_email", &C::client_email}, {"private_key", &C::private_key_pem}},
              {{"private_key_id", &C::private_key_id}, {"project_id", &C::project_id}});
  } else if (type == "authorized_user") {
    c.type = C::kind::authorized_user;
    ok = take("authorized_user credentials",
              {{"client_id", &C::client_id}, {"client_secret", &C::client_secret},
               {"refresh_token", &C::refresh_token}},
              {{"quota_project_id", &C::project_id}});
  } else {
    out.error = where + ": credentials of type '" + type
                + "' are not supported (service_account or authorized_user)";
  }
  if (!ok) {
    out.creds = {};
    return out;
  }
  if (c.token_uri.compare(0, 8, "https://") != 0 && c.token_uri.compare(0, 7, "http://") != 0)
    out.error = where + ": token_uri must be an http(s) URL";
  if (!out.error.empty())
    out.creds = {};
  return out;
}

std::string gcp_base64url(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=')
    out.pop_back();
  for (auto& c : out)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

gcp_jwt_result gcp_sign_jwt(const gcp_credentials& sa, std::string_view scope, unix_ms now_ms) {
  gcp_jwt_result out;
  auto iat = now_ms / 1000;
  json head = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!sa.private_key_id.empty())
    head["kid"] = sa.private_key_id;
  auto header = json_text(head);
  auto claims = json_text(json{{"iss", sa.client_email},
                               {"scope", std::string{scope}},
                               {"aud", sa.token_uri},
                               {"iat", iat},
                               {"exp", iat + 3600}});
  auto input = gcp_base64url(header) + "." + gcp_base64url(claims);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
    BIO_new_mem_buf(sa.private_key_pem.data(), static_cast<int>(sa.private_key_pem.size())),
    &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
    bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
    &EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    out.error = "the private_key of " + sa.who() + " is not a PEM RSA private key";
    return out;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1
      || EVP_DigestSign(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    out.error = "could not sign with the key of " + sa.who();
    return out;
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    out.error = "could not sign with the key of " + sa.who();
    return out;
  }
  sig.resize(len);
  out.jwt = input + "." + gcp_base64url(sig);
  return out;
}

gcp_token_request gcp_make_token_request(const gcp_credentials& creds, unix_ms now_ms,
                                         duration timeout) {
  gcp_token_request out;
  auto& req = out.request;
  req.method = "POST";
  req.url = creds.token_uri;
  req.timeout = timeout;
  req.ca_file = creds.ca_bundle;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (creds.type == gcp_credentials::kind::authorized_user) {
    req.body = "grant_type=refresh_token&client_id=" + gcp_percent_encode(creds.client_id)
               + "&client_secret=" + gcp_percent_encode(creds.client_secret)
               + "&refresh_token=" + gcp_percent_encode(creds.refresh_token);
    return out;
  }
  auto jwt = gcp_sign_jwt(creds, gcp_compute_scope, now_ms);
  if (!jwt.error.empty()) {
    out.error = jwt.error;
    return out;
  }
  req.body = "grant_type=" + gcp_percent_encode("urn:ietf:params:oauth:grant-type:jwt-bearer")
             + "&assertion=" + jwt.jwt;
  return out;
}

gcp_token_answer gcp_read_token_answer(const http_response& resp, unix_ms now_ms) {
  gcp_token_answer out;
  if (resp.status == 0) {
    out.error = no_answer_error(resp, gcp_ca_hint);
    if (resp.untrusted)
      out.error.message = "the token endpoint: " + out.error.message;
    else
      out.error.code = "TokenEndpointUnreachable";
    return out;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool json = parser.parse(resp.body.data(), resp.body.size()).get(doc) == simdjson::SUCCESS
              && doc.is_object();
  if (resp.status < 200 || resp.status >= 300) {
    auto code = json ? field(doc, "error") : std::string{};
    auto why = json ? field(doc, "error_description") : std::string{};
    auto kind = resp.status >= 500 ? error_kind::transient : error_kind::auth;
    out.error = make_cloud_error(kind, code.empty() ? "HTTP" + std::to_string(resp.status) : code,
                                 "the token endpoint refused the credentials (HTTP "
                                   + std::to_string(resp.status) + (why.empty() ? "" : ": " + why)
                                   + ")");
    return out;
  }
  int64_t expires_in = 3600;
  if (json && doc["expires_in"].get(expires_in) != simdjson::SUCCESS)
    expires_in = 3600;
  out.token.access_token = json ? field(doc, "access_token") : std::string{};
  if (out.token.access_token.empty()) {
    out.error = make_cloud_error(error_kind::auth, "NoAccessToken",
                                 "the token endpoint answered without an access_token");
    return out;
  }
  out.token.lifetime_ms = expires_in * 1000;
  out.token.expires_at = now_ms + out.token.lifetime_ms;
  return out;
}

} // namespace styx
