#pragma once
// A tiny HTTP/1.1 server for Prometheus to scrape: GET (or HEAD) /metrics answers the text a
// callback renders, with the exposition format's content type; anything else is 404 or 405.
// One connection at a time, Connection: close, requests up to 8 KiB, 5 s to send one. No
// TLS and no authentication: it binds to loopback unless told otherwise.
//
//   metrics_server srv{"127.0.0.1", 0, [&] { return eng->metrics_text(); }};
//   srv.port();   // the port bound
//
// Thread rules: the server runs on a thread of its own and calls `render` there, once per
// scrape; render must be thread-safe with respect to the rest of the program. Lifetimes:
// stop() (and the destructor) wakes and joins the thread; `render` and what it refers to must
// outlive the server.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace styx {

class metrics_server {
public:
  using render_fn = std::function<std::string()>;

  /// Binds `host`:`port` (0: any free port) and starts serving. Throws std::runtime_error.
  metrics_server(const std::string& host, uint16_t port, render_fn render);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  uint16_t port() const;
  const std::string& host() const;
  /// Scrapes answered so far (200s).
  uint64_t scrapes() const;
  void stop();

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

/// `--metrics`'s argument: "HOST:PORT", ":PORT" or "PORT"; the host defaults to 127.0.0.1.
/// Throws std::runtime_error.
std::pair<std::string, uint16_t> parse_metrics_address(const std::string& text);

} // namespace styx
