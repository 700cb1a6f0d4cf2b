#include "providers/token_source.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

namespace styx {

namespace {

class fixed_token final : public token_source {
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

class exchanged_token final : public token_source,
                              public std::enable_shared_from_this<exchanged_token> {
public:
  exchanged_token(token_exchange exchange, std::string who, http_transport& transport,
                  const clock& clk)
    : exchange_(std::move(exchange)), who_(std::move(who)), transport_(transport), clk_(clk) {}

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
    guard.unlock();
    auto made = exchange_.request(now);
    if (!made.error.empty()) {
      token_grant refused;
      refused.error = make_cloud_error(error_kind::auth, "InvalidCredentials", made.error);
      answer(std::move(refused));
      return;
    }
    auto self = shared_from_this();
    transport_.send(std::move(made.request), [self](http_response resp) {
      self->answer(self->exchange_.read(resp, self->clk_.wall_ms()));
    });
  }

  void refused(const std::string& token) override {
    std::lock_guard<std::mutex> guard{mtx_};
    if (token == token_.access_token)
      token_ = {};
  }

  std::string describe() const override { return who_; }

private:
  /// The exchange ended: every waiter gets its token (or why not); the first made it.
  void answer(token_grant grant) {
    std::vector<ready_fn> waiters;
    std::string value;
    auto err = grant.error;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (!err) {
        token_ = std::move(grant);
        auto margin = std::min<int64_t>(300'000, token_.lifetime_ms / 5);
        refresh_at_ = token_.expires_at - margin;
        value = token_.access_token;
      }
      waiters.swap(waiters_);
    }
    for (size_t i = 0; i < waiters.size(); ++i)
      waiters[i](value, err, i == 0);
  }

  token_exchange exchange_;
  std::string who_;
  http_transport& transport_;
  const clock& clk_;
  std::mutex mtx_;
  token_grant token_;
  unix_ms refresh_at_ = 0;
  std::vector<ready_fn> waiters_;
};

} // namespace

token_source_ptr fixed_token_source(std::string token, std::string source) {
  return std::make_shared<fixed_token>(std::move(token), std::move(source));
}

token_source_ptr exchanged_token_source(token_exchange exchange, std::string who,
                                        http_transport& transport, const clock& clk) {
  return std::make_shared<exchanged_token>(std::move(exchange), std::move(who), transport, clk);
}

} // namespace styx
