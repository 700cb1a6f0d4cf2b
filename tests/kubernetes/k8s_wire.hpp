#pragma once
// A counting http_transport for the Kubernetes tests: passes every request (streamed ones as
// streams) on to `inner` and counts it. Header-only.
//
// Thread rules: send(), stream() and total() may be called from any thread (a mutex).
// Lifetimes: `inner` must outlive it; it keeps nothing of a request once passed on.

#include <cstdint>
#include <mutex>

#include "providers/http.hpp"

namespace styx::test {

class counting_k8s_wire final : public http_transport {
public:
  explicit counting_k8s_wire(http_transport& inner) : inner_(inner) {}

  void send(http_request req, http_handler done) override {
    count(false);
    inner_.send(std::move(req), std::move(done));
  }

  http_cancel stream(http_request req, http_chunk_handler chunk, http_handler done) override {
    count(true);
    return inner_.stream(std::move(req), std::move(chunk), std::move(done));
  }

  uint64_t total() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return total_;
  }
  uint64_t streams() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return streams_;
  }

private:
  void count(bool streamed) {
    std::lock_guard<std::mutex> guard{mtx_};
    ++total_;
    streams_ += streamed ? 1 : 0;
  }

  http_transport& inner_;
  mutable std::mutex mtx_;
  uint64_t total_ = 0;
  uint64_t streams_ = 0;
};

} // namespace styx::test
