#pragma once
// A cloud_api that counts what passes through it, per operation, and the calls the cloud
// throttled, then hands every call to the inner cloud unchanged. Thread-safe counters.

#include <array>
#include <atomic>

#include "providers/cloud_api.hpp"

namespace styx::micro {

class counting_api final : public cloud_api {
public:
  explicit counting_api(cloud_api_ptr inner) : inner_(std::move(inner)) {}

  const provider_id& id() const override { return inner_->id(); }
  size_t max_batch(api_op op) const override { return inner_->max_batch(op); }

  void start(api_call call, reply_handler done) override {
    ++calls_[static_cast<size_t>(call.op)];
    inner_->start(std::move(call), [this, done = std::move(done)](api_reply r) {
      if (r.error && r.error.kind == error_kind::throttled)
        ++throttled_;
      done(std::move(r));
    });
  }

  uint64_t calls(api_op op) const { return calls_[static_cast<size_t>(op)]; }
  uint64_t total() const {
    uint64_t n = 0;
    for (auto& c : calls_)
      n += c;
    return n;
  }
  uint64_t throttled() const { return throttled_; }

private:
  cloud_api_ptr inner_;
  std::array<std::atomic<uint64_t>, 7> calls_{}; // by api_op
  std::atomic<uint64_t> throttled_{0};
};

} // namespace styx::micro
