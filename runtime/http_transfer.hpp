#pragma once
// One HTTP exchange on a libcurl easy handle, for http_engine's thread only: applies an
// http_request and the engine's settings to a fresh (reset) easy handle, collects the response
// headers and body as curl delivers them, and turns curl's final result into an http_response.
// The transfer owns everything the handle points to (body, header list, error buffer), so it must
// outlive the handle's use: reset or clean up the handle before destroying the transfer.

#include <atomic>
#include <memory>

#include <curl/curl.h>

#include "providers/http.hpp"
#include "runtime/http_engine.hpp"

namespace styx {

class http_transfer {
public:
  http_transfer(http_request req, http_handler done);
  /// A streamed request (http_transport::stream): a 2xx body goes to `chunk` as it arrives;
  /// setting `*cancelled` aborts the transfer within about a second.
  http_transfer(http_request req, http_chunk_handler chunk, http_handler done,
                std::shared_ptr<std::atomic<bool>> cancelled);
  ~http_transfer();

  http_transfer(const http_transfer&) = delete;
  http_transfer& operator=(const http_transfer&) = delete;

  /// Sets every option of `easy` for this request. On failure returns false and `error()` says why.
  bool configure(CURL* easy, const http_engine_config& cfg);

  /// The response, once curl finished the transfer with `result`.
  http_response finish(CURLcode result);

  /// Why configure() failed.
  const std::string& error() const { return resp_.error; }

  /// The callback, handed over once.
  http_handler take_done() { return std::move(done_); }

private:
  static size_t on_header(char* data, size_t size, size_t count, void* self);
  static size_t on_body(char* data, size_t size, size_t count, void* self);
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  bool configure_tls(CURL* easy, const http_engine_config& cfg);
  bool add_header(const std::string& line);

  CURL* easy_ = nullptr;
  http_request req_;
  http_handler done_;
  http_chunk_handler chunk_;                      // streamed requests only
  std::shared_ptr<std::atomic<bool>> cancelled_; // streamed requests only
  http_response resp_;
  curl_slist* header_list_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

} // namespace styx
