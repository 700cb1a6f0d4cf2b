#include "providers/gcp/gcp_token_source.hpp"

#include <utility>

namespace styx {

gcp_token_source_ptr gcp_fixed_token(std::string token, std::string source) {
  return fixed_token_source(std::move(token), std::move(source));
}

gcp_token_source_ptr gcp_exchanged_token(gcp_credentials creds, std::string source,
                                         http_transport& transport, const clock& clk,
                                         duration timeout) {
  auto who = creds.who() + " from " + source;
  token_exchange exchange;
  exchange.request = [creds, timeout](unix_ms now) {
    auto made = gcp_make_token_request(creds, now, timeout);
    return token_exchange::made{std::move(made.request), std::move(made.error)};
  };
  exchange.read = [](const http_response& resp, unix_ms now) {
    auto got = gcp_read_token_answer(resp, now);
    return token_grant{std::move(got.token.access_token), got.token.expires_at,
                       got.token.lifetime_ms, std::move(got.error)};
  };
  return exchanged_token_source(std::move(exchange), std::move(who), transport, clk);
}

} // namespace styx
