#pragma once
// HTTP as the clouds' translation layers see it: plain request/response values and the
// asynchronous transport they are handed. Declared here; implemented in runtime/ (libcurl).

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"

namespace styx {

using http_headers = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  std::string method = "GET";   // GET, POST, PUT, DELETE, PATCH
  std::string url;              // absolute: https://ec2.us-east-1.amazonaws.com/
  http_headers headers;
  std::string body;
  duration timeout = seconds(30);
  std::string ca_file;          // PEM bundle trusted for this request instead of the
                                // transport's own; empty: the transport's. Verification stays on.
};

struct http_response {
  int status = 0;               // 0: no HTTP answer at all (see `error`)
  http_headers headers;
  std::string body;
  std::string error;            // transport failure: resolve, connect, TLS, timeout
  bool timed_out = false;       // the failure was the request's timeout

  /// The first header named `name`, compared case-insensitively; empty if absent.
  std::string header(const std::string& name) const;

  /// Retry-After in milliseconds when it is a positive number of seconds; else 0.
  int64_t retry_after_ms() const;
};

/// The error of a request that got no HTTP answer (status 0): timeout when its time ran out,
/// else transient, with the transport's words.
cloud_error no_answer_error(const http_response& response);

using http_handler = std::function<void(http_response)>;

class http_transport {
public:
  virtual ~http_transport() = default;
  /// Sends `req` and returns at once; `done` runs exactly once, on the transport's thread.
  virtual void send(http_request req, http_handler done) = 0;
};

} // namespace styx
