#pragma once
// HTTP as the clouds' translation layers see it: plain request/response values and the
// asynchronous transport they are handed. Declared here; implemented in runtime/ (libcurl).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "messages/cloud_error.hpp"

namespace styx {

using http_headers = std::vector<std::pair<std::string, std::string>>;

/// TLS settings of one request, for a cloud whose servers are not vouched for by the system's
/// CAs and that may want a client certificate (Kubernetes' kubeconfig). PEM text, not paths,
/// so that the -data forms and the files are one thing. Holds secrets: never logged.
struct http_tls {
  std::string ca_pem;           // trust these CAs instead of the system's; empty: the system's
  std::string client_cert_pem;  // set with client_key_pem: present this certificate
  std::string client_key_pem;
  bool insecure_skip_verify = false; // no certificate or host name checks (warned about)
};

struct http_request {
  std::string method = "GET";   // GET, POST, PUT, DELETE, PATCH
  std::string url;              // absolute: https://ec2.us-east-1.amazonaws.com/
  http_headers headers;
  std::string body;
  duration timeout = seconds(30);
  std::shared_ptr<const http_tls> tls; // null: the transport's own settings
  std::string ca_file;          // a PEM bundle file trusted for this request (unless `tls` has
                                // CAs) instead of the transport's; verification stays on
};

struct http_response {
  int status = 0;               // 0: no HTTP answer at all (see `error`)
  http_headers headers;
  std::string body;
  std::string error;            // transport failure: resolve, connect, TLS, timeout
  bool timed_out = false;       // the failure was the request's timeout
  bool untrusted = false;       // the failure was TLS verification: the server's certificate
                                // (or the CA bundle meant to vouch for it) was not accepted

  /// The first header named `name`, compared case-insensitively; empty if absent.
  std::string header(const std::string& name) const;

  /// Retry-After in milliseconds when it is a positive number of seconds; else 0.
  int64_t retry_after_ms() const;
};

/// `text` percent-encoded for a URL query value or path segment: every byte but the
/// unreserved A-Z a-z 0-9 - _ . ~ as %XX.
std::string percent_encode(std::string_view text);
/// The error of a request that got no HTTP answer (status 0): timeout when its time ran out;
/// fatal when the server's certificate was not trusted (retrying cannot help), in plain words
/// followed by `trust_hint`, the cloud's own way to trust a CA ("set AWS_CA_BUNDLE ...");
/// else transient, with the transport's words.
cloud_error no_answer_error(const http_response& response, std::string_view trust_hint = {});

using http_handler = std::function<void(http_response)>;
/// A piece of a streamed body as it arrived (not aligned to lines or messages).
using http_chunk_handler = std::function<void(std::string chunk)>;

/// Cancels a streamed request: its `done` then runs with error "cancelled" (unless it ran
/// already). Callable from any thread, any number of times.
using http_cancel = std::function<void()>;

class http_transport {
public:
  virtual ~http_transport() = default;
  /// Sends `req` and returns at once; `done` runs exactly once, on the transport's thread.
  virtual void send(http_request req, http_handler done) = 0;

  /// A long-lived request whose 2xx body is handed to `chunk` piece by piece as it arrives
  /// (Kubernetes' watch), then `done` runs once with the status and headers (and, for a
  /// non-2xx answer, the whole body). Both run on the transport's thread. This default sends
  /// `req` as a plain request and hands its body over as one piece at the end: a transport
  /// that cannot stream still works, only later.
  virtual http_cancel stream(http_request req, http_chunk_handler chunk, http_handler done) {
    send(std::move(req), [chunk = std::move(chunk), done = std::move(done)](http_response r) {
      if (r.status >= 200 && r.status < 300) {
        if (!r.body.empty())
          chunk(std::move(r.body));
        r.body.clear();
      }
      done(std::move(r));
    });
    return [] {};
  }
};

} // namespace styx
