#pragma once
// The mechanics an HTTP cloud's api_call shares (GCP, Azure): a call goes in steps, each a set
// of HTTP requests on the wire at once; when the last is answered (and the step's own setup is
// done), the step's continuation runs (another step, or the end of the call). The first error
// of any request ends the call with it once the step is over; the end delivers the reply
// exactly once. A cloud's call derives from it, sends its requests itself (counting each with
// sending()/answered()) and fills `reply_` with `mtx_` held.
//
// Thread rules: answers arrive on the transport's thread while the call may still be sending
// from the caller's: every field below is touched with `mtx_` held (recursive: a request's
// handler may start the next page). Lifetimes: the derived call is held by shared_ptr by every
// request in flight; `done` is called exactly once, then nothing is kept.

#include <functional>
#include <mutex>

#include "providers/cloud_api.hpp"

namespace styx {

class call_steps {
public:
  virtual ~call_steps() = default;

protected:
  call_steps(api_call call, reply_handler done)
    : call_(std::move(call)), done_(std::move(done)) {
    reply_.requests = 0; // counted as they are sent
  }

  /// A step begins: `then` runs when its requests and its setup (end_setup()) are done.
  void begin_phase(std::function<void()> then);
  void end_setup() { complete_one(); }
  /// One more request of the step is on the wire (counted in reply_.requests).
  void sending();
  /// One request of the step (or its setup) is done.
  void complete_one();
  /// Keeps the call's first error; `mtx_` held.
  void fail_locked(cloud_error err);
  void finish(cloud_error err);
  /// Ends the call: its first error, or the reply (after settle()).
  void finish();
  /// The reply of a call that succeeded is about to go, `mtx_` held: last additions to it.
  virtual void settle(api_reply&) {}

  api_call call_;
  std::recursive_mutex mtx_;
  api_reply reply_;
  cloud_error error_;          // the call's first error
  bool finished_ = false;

private:
  reply_handler done_;
  int outstanding_ = 0;        // requests of the step on the wire, plus its setup
  std::function<void()> then_; // what runs when the step ends
};

} // namespace styx
