#include "common/retry_budget.hpp"

#include <algorithm>

namespace styx {

bool retry_budget::try_acquire(bool timeout) {
  int cost = timeout ? cfg_.timeout_retry_cost : cfg_.retry_cost;
  if (tokens_ < cost)
    return false;
  tokens_ -= cost;
  return true;
}

void retry_budget::on_success(bool after_retry, bool timeout) {
  int refund = after_retry ? (timeout ? cfg_.timeout_retry_cost : cfg_.retry_cost)
                           : cfg_.success_refund;
  tokens_ = std::min(cfg_.capacity, tokens_ + refund);
}

} // namespace styx
