#pragma once
// A retry budget in the manner of the AWS SDKs' "standard" mode: a retry costs tokens, a
// success earns some back. When the budget is spent, failures go back to the caller at once,
// so that a failing cloud cannot be melted down by our own retries.

namespace styx {

struct retry_budget_config {
  int capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int success_refund = 1;
};

class retry_budget {
public:
  explicit retry_budget(retry_budget_config cfg = {}) : cfg_(cfg), tokens_(cfg.capacity) {}

  /// Takes the cost of one retry; false (and nothing taken) when the budget cannot pay it.
  bool try_acquire(bool timeout = false);

  /// A call succeeded; `after_retry` returns what its retry cost, otherwise a small refund.
  void on_success(bool after_retry, bool timeout = false);

  int tokens() const { return tokens_; }

private:
  retry_budget_config cfg_;
  int tokens_;
};

} // namespace styx
