#include "runtime/http_transfer.hpp"

#include <strings.h>

#include <algorithm>
#include <chrono>
#include <climits>

namespace styx {

namespace {

long clamp_ms(duration d) {
  auto ms = std::chrono::duration_cast<milliseconds>(d).count();
  return static_cast<long>(std::clamp<decltype(ms)>(ms, 1, LONG_MAX));
}

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos)
    return {};
  auto last = s.find_last_not_of(space);
  return s.substr(first, last - first + 1);
}

bool has_header(const http_headers& headers, const char* name) {
  for (auto& [key, value] : headers)
    if (strcasecmp(key.c_str(), name) == 0)
      return true;
  return false;
}

} // namespace

http_transfer::http_transfer(http_request req, http_handler done)
    : req_(std::move(req)), done_(std::move(done)) {}

http_transfer::http_transfer(http_request req, http_chunk_handler chunk, http_handler done,
                             std::shared_ptr<std::atomic<bool>> cancelled)
    : req_(std::move(req)), done_(std::move(done)), chunk_(std::move(chunk)),
      cancelled_(std::move(cancelled)) {}

http_transfer::~http_transfer() {
  curl_slist_free_all(header_list_);
}

bool http_transfer::add_header(const std::string& line) {
  curl_slist* grown = curl_slist_append(header_list_, line.c_str());
  if (grown == nullptr)
    return false;
  header_list_ = grown;
  return true;
}

bool http_transfer::configure(CURL* easy, const http_engine_config& cfg) {
  easy_ = easy;
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };

  set(curl_easy_setopt(easy, CURLOPT_URL, req_.url.c_str()));
  set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, clamp_ms(req_.timeout)));
  set(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, clamp_ms(cfg.connect_timeout)));
  set(curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_));
  // Proxies: CURLOPT_PROXY is left unset on purpose, so that libcurl reads http_proxy,
  // https_proxy and no_proxy from the environment.

  ok = ok && configure_tls(easy, cfg);
  if (cancelled_) { // a stream: abortable while it waits for data
    set(curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L));
    set(curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &http_transfer::on_progress));
    set(curl_easy_setopt(easy, CURLOPT_XFERINFODATA, this));
  }

  // Method and body.
  if (req_.method == "HEAD") {
    set(curl_easy_setopt(easy, CURLOPT_NOBODY, 1L));
  } else if (req_.method == "GET" && req_.body.empty()) {
    set(curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L));
  } else {
    // POSTFIELDS points into req_, which lives as long as the transfer; an empty body still
    // sends "Content-Length: 0", which some servers require for PUT and POST.
    set(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req_.body.data()));
    set(curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(req_.body.size())));
    if (req_.method != "POST")
      set(curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req_.method.c_str()));
  }

  // Request headers. "Name;" is curl's syntax for a header with an empty value; "Name:" removes
  // one of curl's own.
  for (auto& [name, value] : req_.headers)
    ok = ok && add_header(value.empty() ? name + ";" : name + ": " + value);
  if (!has_header(req_.headers, "Content-Type"))
    ok = ok && add_header("Content-Type:");
  if (!has_header(req_.headers, "Expect"))
    ok = ok && add_header("Expect:");
  set(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list_));

  // Response.
  set(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &http_transfer::on_header));
  set(curl_easy_setopt(easy, CURLOPT_HEADERDATA, this));
  set(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &http_transfer::on_body));
  set(curl_easy_setopt(easy, CURLOPT_WRITEDATA, this));

  if (!ok)
    resp_.error = "http engine: cannot set up the request";
  return ok;
}

bool http_transfer::configure_tls(CURL* easy, const http_engine_config& cfg) {
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  // Verification stays on unless explicitly skipped (by the engine, or by the request).
  bool skip = cfg.insecure_skip_verify || (req_.tls && req_.tls->insecure_skip_verify);
  long verify = skip ? 0L : 1L;
  set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify));
  set(curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, verify * 2L));
  auto blob = [&](CURLoption opt, const std::string& pem) {
    curl_blob b{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_NOCOPY};
    set(curl_easy_setopt(easy, opt, &b));
  };
  if (req_.tls && !req_.tls->ca_pem.empty()) { // these CAs only (the request lives as long)
    blob(CURLOPT_CAINFO_BLOB, req_.tls->ca_pem);
    set(curl_easy_setopt(easy, CURLOPT_CAINFO, static_cast<const char*>(nullptr)));
    set(curl_easy_setopt(easy, CURLOPT_CAPATH, static_cast<const char*>(nullptr)));
  } else if (auto& file = !req_.ca_file.empty() ? req_.ca_file : cfg.ca_file; !file.empty()) {
    // The request's bundle, else the engine's; that one only: not the system's directory.
    set(curl_easy_setopt(easy, CURLOPT_CAINFO, file.c_str()));
    set(curl_easy_setopt(easy, CURLOPT_CAPATH, static_cast<const char*>(nullptr)));
  }
  if (req_.tls && !req_.tls->client_cert_pem.empty() && !req_.tls->client_key_pem.empty()) {
    blob(CURLOPT_SSLCERT_BLOB, req_.tls->client_cert_pem);
    set(curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM"));
    blob(CURLOPT_SSLKEY_BLOB, req_.tls->client_key_pem);
    set(curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM"));
  }
  return ok;
}

int http_transfer::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<http_transfer*>(self);
  return t->cancelled_ && t->cancelled_->load() ? 1 : 0;
}

size_t http_transfer::on_header(char* data, size_t size, size_t count, void* self) {
  auto* t = static_cast<http_transfer*>(self);
  size_t n = size * count;
  std::string line(data, n);
  auto& headers = t->resp_.headers;
  if (line.compare(0, 5, "HTTP/") == 0) {
    headers.clear(); // a new response begins (e.g. after "100 Continue")
  } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
    if (!headers.empty()) { // obsolete line folding: continues the previous value
      auto more = trim(line);
      if (!more.empty())
        headers.back().second += (headers.back().second.empty() ? "" : " ") + more;
    }
  } else {
    auto colon = line.find(':');
    if (colon != std::string::npos)
      headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return n;
}

size_t http_transfer::on_body(char* data, size_t size, size_t count, void* self) {
  auto* t = static_cast<http_transfer*>(self);
  size_t n = size * count;
  if (t->chunk_) {
    if (t->cancelled_ && t->cancelled_->load())
      return 0; // aborts the transfer
    long status = 0;
    curl_easy_getinfo(t->easy_, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      t->chunk_(std::string(data, n));
      return n;
    }
  }
  t->resp_.body.append(data, n);
  return n;
}

http_response http_transfer::finish(CURLcode result) {
  http_response out = std::move(resp_);
  if (result == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
    if (out.status == 0)
      out.error = "http engine: no HTTP status";
    return out;
  }
  out.status = 0; // partial answers are dropped: status 0 means no usable response
  out.headers.clear();
  out.body.clear();
  out.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(result);
  if (cancelled_ && cancelled_->load())
    out.error = "cancelled";
  out.timed_out = result == CURLE_OPERATION_TIMEDOUT;
  // 60: the peer's certificate failed verification; 77: the CA bundle could not be used.
  out.untrusted = result == CURLE_PEER_FAILED_VERIFICATION || result == CURLE_SSL_CACERT_BADFILE;
  return out;
}

} // namespace styx
