#include "providers/call_steps.hpp"

namespace styx {

void call_steps::begin_phase(std::function<void()> then) {
  std::lock_guard<std::recursive_mutex> guard{mtx_};
  then_ = std::move(then);
  outstanding_ = 1; // the setup's guard: end_setup() releases it
}

void call_steps::sending() {
  std::lock_guard<std::recursive_mutex> guard{mtx_};
  ++outstanding_;
  ++reply_.requests;
}

void call_steps::complete_one() {
  std::function<void()> then;
  bool failed = false;
  {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    if (--outstanding_ > 0 || finished_)
      return;
    failed = static_cast<bool>(error_);
    then = std::move(then_);
  }
  if (failed || !then)
    finish();
  else
    then();
}

void call_steps::fail_locked(cloud_error err) {
  if (!error_)
    error_ = std::move(err);
}

void call_steps::finish(cloud_error err) {
  {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    fail_locked(std::move(err));
  }
  finish();
}

void call_steps::finish() {
  api_reply out;
  {
    std::lock_guard<std::recursive_mutex> guard{mtx_};
    if (finished_)
      return;
    finished_ = true;
    if (error_) {
      out.error = error_;
      out.requests = reply_.requests;
      out.remaining = reply_.remaining;
    } else {
      settle(reply_);
      out = std::move(reply_);
    }
  }
  auto done = std::move(done_);
  done(std::move(out));
}

} // namespace styx
