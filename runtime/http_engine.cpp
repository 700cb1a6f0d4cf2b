#include "runtime/http_engine.hpp"

#include <curl/curl.h>

#include <atomic>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "runtime/http_transfer.hpp"

namespace styx {

namespace {

constexpr const char* stopped_error = "http engine stopped";

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One debug line per exchange: the method, the URL without its query (a query can carry a
// signature), the status or the failure, and the time. Never a header or a body: those carry
// the credentials.
void log_exchange(CURL* easy, const http_response& resp) {
  if (!spdlog::should_log(spdlog::level::debug))
    return;
  char* url = nullptr;
  char* method = nullptr;
  curl_off_t micros = 0;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_METHOD, &method);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &micros);
  std::string_view where = url != nullptr ? url : "";
  where = where.substr(0, where.find('?'));
  const char* verb = method != nullptr ? method : "?";
  if (resp.status != 0)
    spdlog::debug("http {} {} -> {} in {} ms, {} bytes", verb, where, resp.status,
                  micros / 1000, resp.body.size());
  else
    spdlog::debug("http {} {} -> no answer after {} ms: {}", verb, where, micros / 1000,
                  resp.error);
}

http_response error_response(std::string error) {
  http_response resp;
  resp.error = std::move(error);
  return resp;
}

using transfer_ptr = std::unique_ptr<http_transfer>;

} // namespace

struct http_engine::impl {
  explicit impl(http_engine_config c);
  ~impl();

  void send(http_request req, http_handler done);
  void enqueue(std::unique_ptr<http_transfer> t);
  void run();

  // Loop thread only.
  void start(transfer_ptr t);
  void reap_finished();
  void fail_everything();
  void complete(transfer_ptr t, http_response resp);
  CURL* take_handle();
  void give_back(CURL* easy);

  const http_engine_config cfg;
  CURLM* multi = nullptr;

  std::mutex mutex;
  std::vector<transfer_ptr> queue; // guarded by mutex
  bool stopping = false;           // guarded by mutex
  bool closed = false;             // guarded by mutex: the loop has finished for good

  std::unordered_map<CURL*, transfer_ptr> in_flight; // loop thread only
  std::vector<CURL*> idle;                           // loop thread only

  std::atomic<uint64_t> sent{0}, completed{0}, failed{0};
  std::atomic<uint64_t> opened{0}, reused{0}, callback_exceptions{0};

  std::thread thread; // last: starts after everything above exists
};

http_engine::impl::impl(http_engine_config c) : cfg(std::move(c)) {
  init_curl_once();
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, cfg.max_host_connections);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, cfg.max_total_connections);
  thread = std::thread([this] { run(); });
}

http_engine::impl::~impl() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  curl_multi_wakeup(multi);
  thread.join();
  for (CURL* easy : idle)
    curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
}

void http_engine::impl::send(http_request req, http_handler done) {
  enqueue(std::make_unique<http_transfer>(std::move(req), std::move(done)));
}

void http_engine::impl::enqueue(transfer_ptr t) {
  sent.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!closed) {
      queue.push_back(std::move(t));
      t = nullptr;
    }
  }
  if (t == nullptr) {
    curl_multi_wakeup(multi);
    return;
  }
  // Only a caller racing with the destructor gets here: answer on its own thread rather than
  // never.
  complete(std::move(t), error_response(stopped_error));
}

void http_engine::impl::run() {
  for (;;) {
    std::vector<transfer_ptr> batch;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping)
        break;
      batch.swap(queue);
    }
    for (auto& t : batch)
      start(std::move(t));
    int running = 0;
    curl_multi_perform(multi, &running);
    reap_finished();
    // Returns early on socket activity, on curl's own timers and on curl_multi_wakeup().
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  fail_everything();
}

void http_engine::impl::start(transfer_ptr t) {
  CURL* easy = take_handle();
  if (easy == nullptr)
    return complete(std::move(t), error_response("http engine: curl_easy_init failed"));
  if (!t->configure(easy, cfg)) {
    give_back(easy);
    auto error = t->error();
    return complete(std::move(t), error_response(error));
  }
  CURLMcode rc = curl_multi_add_handle(multi, easy);
  if (rc != CURLM_OK) {
    give_back(easy);
    return complete(std::move(t), error_response(curl_multi_strerror(rc)));
  }
  in_flight.emplace(easy, std::move(t));
}

void http_engine::impl::reap_finished() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    // `msg` dies with curl_multi_remove_handle: copy what we need first.
    CURL* easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    auto it = in_flight.find(easy);
    if (it == in_flight.end())
      continue;
    transfer_ptr t = std::move(it->second);
    in_flight.erase(it);

    http_response resp = t->finish(result);
    log_exchange(easy, resp);
    if (resp.status != 0) {
      long connects = 0;
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
      opened.fetch_add(static_cast<uint64_t>(connects));
      if (connects == 0)
        reused.fetch_add(1);
    }
    curl_multi_remove_handle(multi, easy);
    give_back(easy);
    complete(std::move(t), std::move(resp));
  }
}

void http_engine::impl::fail_everything() {
  auto flights = std::move(in_flight);
  in_flight.clear();
  for (auto& [easy, t] : flights) {
    curl_multi_remove_handle(multi, easy);
    give_back(easy);
  }
  for (auto& [easy, t] : flights)
    complete(std::move(t), error_response(stopped_error));
  // Callbacks may send again while we drain: keep going until the queue stays empty.
  for (;;) {
    std::vector<transfer_ptr> batch;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (queue.empty()) {
        closed = true;
        return;
      }
      batch.swap(queue);
    }
    for (auto& t : batch)
      complete(std::move(t), error_response(stopped_error));
  }
}

void http_engine::impl::complete(transfer_ptr t, http_response resp) {
  (resp.status != 0 ? completed : failed).fetch_add(1);
  http_handler done = t->take_done();
  t.reset();
  if (!done)
    return;
  try {
    done(std::move(resp));
  } catch (...) {
    callback_exceptions.fetch_add(1);
  }
}

CURL* http_engine::impl::take_handle() {
  if (idle.empty())
    return curl_easy_init();
  CURL* easy = idle.back();
  idle.pop_back();
  return easy;
}

void http_engine::impl::give_back(CURL* easy) {
  if (idle.size() < cfg.idle_handle_pool) {
    curl_easy_reset(easy); // forgets the transfer's pointers; keeps connections and caches
    idle.push_back(easy);
  } else {
    curl_easy_cleanup(easy);
  }
}

http_engine::http_engine(http_engine_config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}

http_engine::~http_engine() = default;

void http_engine::send(http_request req, http_handler done) {
  impl_->send(std::move(req), std::move(done));
}

http_cancel http_engine::stream(http_request req, http_chunk_handler chunk, http_handler done) {
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  impl_->enqueue(std::make_unique<http_transfer>(std::move(req), std::move(chunk),
                                                 std::move(done), cancelled));
  return [cancelled] { cancelled->store(true); };
}

http_engine_counters http_engine::counters() const {
  http_engine_counters c;
  // Outcomes before `sent`, so that in_flight() never goes negative.
  c.completed = impl_->completed.load();
  c.failed = impl_->failed.load();
  c.sent = impl_->sent.load();
  c.connections_opened = impl_->opened.load();
  c.connections_reused = impl_->reused.load();
  c.callback_exceptions = impl_->callback_exceptions.load();
  return c;
}

} // namespace styx
