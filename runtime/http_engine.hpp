#pragma once
// Styx's one shared HTTP engine: an http_transport on libcurl's multi interface.
//
// Contract:
// - One event-loop thread owns the curl multi handle. send() may be called from any thread; it
//   enqueues under a mutex, wakes the loop and returns at once. It never blocks on the network.
// - `done` runs exactly once per request, on the engine's thread. A transport failure (resolve,
//   connect, TLS, timeout) gives status 0 and curl's message in `error`; any HTTP status,
//   including 4xx/5xx, is a response, not an error.
// - Connections are kept alive and reused (curl's connection cache in the multi handle), at most
//   `max_host_connections` per host; requests beyond that wait inside curl for a free connection.
//   HTTP/1.1. The per-request timeout is http_request::timeout (a timeout <= 0 expires at once);
//   it covers the whole exchange, including the wait for a connection.
// - TLS peers are verified (certificate and host name) unless `insecure_skip_verify` is set,
//   against http_request::ca_file when the request names one, else `ca_file`, else the system.
//   The proxy environment variables (http_proxy, https_proxy, no_proxy) are honoured.
// - The engine adds no Content-Type and no "Expect: 100-continue" of its own: what the caller
//   puts in http_request::headers is what goes on the wire (plus Host, Accept, Content-Length).
// - The destructor stops the loop and joins the thread; requests still queued or in flight then
//   complete with error "http engine stopped" (on the engine's thread, before the destructor
//   returns). A `done` that calls send() during shutdown gets the same answer. `done` must not
//   throw; if it does, the exception is dropped and counted.
// - Nothing is logged: requests carry secrets (Authorization headers, signed bodies).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "providers/http.hpp"

namespace styx {

struct http_engine_config {
  long max_host_connections = 16;   // open connections per host (scheme, name, port); 0: no limit
  long max_total_connections = 0;   // over all hosts; 0: no limit
  duration connect_timeout = seconds(10);
  std::string ca_file;              // PEM bundle to trust instead of the system's; empty: system
  bool insecure_skip_verify = false; // true: no certificate or host name checks. Tests only.
  std::size_t idle_handle_pool = 64; // curl easy handles kept for reuse
};

/// Monotonic counters since construction, for benchmarks and tests.
struct http_engine_counters {
  uint64_t sent = 0;               // send() calls
  uint64_t completed = 0;          // done() with an HTTP status
  uint64_t failed = 0;             // done() with status 0 (transport error or engine stopped)
  uint64_t connections_opened = 0; // new connections made by answered requests
  uint64_t connections_reused = 0; // answered requests that went over an existing connection
  uint64_t callback_exceptions = 0; // exceptions thrown by `done` and dropped

  uint64_t in_flight() const { return sent - completed - failed; }
};

class http_engine final : public http_transport {
public:
  explicit http_engine(http_engine_config cfg = {});
  ~http_engine() override;

  http_engine(const http_engine&) = delete;
  http_engine& operator=(const http_engine&) = delete;

  void send(http_request req, http_handler done) override;
  /// Streams as http_transport::stream says: `chunk` runs on the engine's thread as the body
  /// arrives; the request's timeout bounds the whole stream; cancel() ends it within about a
  /// second (done: status 0, error "cancelled").
  http_cancel stream(http_request req, http_chunk_handler chunk, http_handler done) override;

  http_engine_counters counters() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace styx
