#include "providers/azure/azure_auth.hpp"

#include <utility>

#include "providers/azure/azure_errors.hpp"
#include "providers/azure/azure_json.hpp"
#include "providers/azure/azure_options.hpp"
#include "providers/gcp/gcp_requests.hpp" // gcp_percent_encode: RFC 3986, a form value too

namespace styx {

std::string azure_client_credentials::who() const {
  return "client " + client_id + " of tenant " + tenant + " at " + authority;
}

http_request azure_token_request(const azure_client_credentials& c, duration timeout) {
  http_request req;
  req.method = "POST";
  req.url = c.authority + gcp_percent_encode(c.tenant) + "/oauth2/v2.0/token";
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = "grant_type=client_credentials&client_id=" + gcp_percent_encode(c.client_id)
             + "&client_secret=" + gcp_percent_encode(c.client_secret)
             + "&scope=" + gcp_percent_encode(azure_arm_scope);
  req.timeout = timeout;
  req.ca_file = c.ca_bundle;
  return req;
}

token_grant azure_read_token_answer(const http_response& resp, unix_ms now) {
  token_grant out;
  if (resp.status == 0) {
    out.error = no_answer_error(resp, azure_ca_hint);
    if (resp.untrusted) {
      out.error.message = "the Azure token endpoint: " + out.error.message;
    } else {
      out.error.code = "TokenEndpointUnreachable";
      out.error.message = "the Azure token endpoint did not answer: " + resp.error;
    }
    return out;
  }
  auto body = azure_parse_token(resp.body);
  if (resp.status >= 500) {
    out.error = make_cloud_error(error_kind::transient, "TokenEndpointError",
                                 "the Azure token endpoint answered HTTP "
                                   + std::to_string(resp.status));
    return out;
  }
  if (resp.status < 200 || resp.status >= 300 || !body || body->access_token.empty()) {
    std::string code = body && !body->error.empty() ? body->error : "InvalidTokenAnswer";
    std::string why = body && !body->error_description.empty()
                        ? body->error_description.substr(0, body->error_description.find('\n'))
                        : "no access_token in its answer (HTTP " + std::to_string(resp.status)
                            + ")";
    out.error = make_cloud_error(error_kind::auth, code,
                                 "the Azure token endpoint refused the client credentials: "
                                   + why);
    return out;
  }
  out.access_token = std::move(body->access_token);
  out.lifetime_ms = static_cast<int64_t>((body->expires_in > 0 ? body->expires_in : 3600) * 1000);
  out.expires_at = now + out.lifetime_ms;
  return out;
}

token_source_ptr azure_token_source(azure_client_credentials creds, http_transport& transport,
                                    const clock& clk, duration timeout) {
  auto who = creds.who();
  token_exchange exchange;
  exchange.request = [creds = std::move(creds), timeout](unix_ms) {
    return token_exchange::made{azure_token_request(creds, timeout), {}};
  };
  exchange.read = azure_read_token_answer;
  return exchanged_token_source(std::move(exchange), std::move(who), transport, clk);
}

} // namespace styx
