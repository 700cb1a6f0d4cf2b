#include "providers/gcp/gcp_token_source.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

namespace styx {

namespace {

class fixed_token final : public gcp_token_source {
public:
  fixed_token(std::string token, std::string source)
    : token_(std::move(token)), source_(std::move(source)) {}

  void with_token(ready_fn ready) override { ready(token_, {}, false); }
  void refused(const std::string&) override {}
  std::string describe() const override { return source_; }

private:
  std::string token_;
  std::string source_;
};

class exchanged_token final : public gcp_token_source,
                              public std::enable_shared_from_this<exchanged_token> {
public:
  exchanged_token(gcp_credentials creds, std::string source, http_transport& transport,
                  const clock& clk, duration timeout)
    : creds_(std::move(creds)), source_(std::move(source)), transport_(transport), clk_(clk),
      timeout_(timeout) {}

  void with_token(ready_fn ready) override {
    std::unique_lock<std::mutex> guard{mtx_};
    auto now = clk_.wall_ms();
    if (!token_.access_token.empty() && now < refresh_at_) {
      auto token = token_.access_token;
      guard.unlock();
      ready(token, {}, false);
      return;
    }
    waiters_.push_back(std::move(ready));
    if (waiters_.size() > 1)
      return; // an exchange is on the wire: its answer serves this call too
    auto made = gcp_make_token_request(creds_, now, timeout_);
    guard.unlock();
    if (!made.error.empty()) {
      answer({}, make_cloud_error(error_kind::auth, "InvalidCredentials", made.error));
      return;
    }
    auto self = shared_from_this();
    transport_.send(std::move(made.request), [self](http_response resp) {
      auto got = gcp_read_token_answer(resp, self->clk_.wall_ms());
      self->answer(std::move(got.token), std::move(got.error));
    });
  }

  void refused(const std::string& token) override {
    std::lock_guard<std::mutex> guard{mtx_};
    if (token == token_.access_token)
      token_ = {};
  }

  std::string describe() const override { return creds_.who() + " from " + source_; }

private:
  /// The exchange ended: every waiter gets its token (or why not); the first made it.
  void answer(gcp_token token, cloud_error err) {
    std::vector<ready_fn> waiters;
    std::string value;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (!err) {
        token_ = std::move(token);
        auto margin = std::min<int64_t>(300'000, token_.lifetime_ms / 5);
        refresh_at_ = token_.expires_at - margin;
        value = token_.access_token;
      }
      waiters.swap(waiters_);
    }
    for (size_t i = 0; i < waiters.size(); ++i)
      waiters[i](value, err, i == 0);
  }

  gcp_credentials creds_;
  std::string source_;
  http_transport& transport_;
  const clock& clk_;
  duration timeout_;
  std::mutex mtx_;
  gcp_token token_;
  unix_ms refresh_at_ = 0;
  std::vector<ready_fn> waiters_;
};

} // namespace

gcp_token_source_ptr gcp_fixed_token(std::string token, std::string source) {
  return std::make_shared<fixed_token>(std::move(token), std::move(source));
}

gcp_token_source_ptr gcp_exchanged_token(gcp_credentials creds, std::string source,
                                         http_transport& transport, const clock& clk,
                                         duration timeout) {
  return std::make_shared<exchanged_token>(std::move(creds), std::move(source), transport, clk,
                                           timeout);
}

} // namespace styx
