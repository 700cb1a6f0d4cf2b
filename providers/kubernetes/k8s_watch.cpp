#include "providers/kubernetes/k8s_api.hpp"

// The watch of k8s_api (see k8s_api.hpp): one streamed GET, its body cut into lines, each line
// one event, each chunk's events one push.

#include <mutex>

#include "providers/kubernetes/k8s_call.hpp"
#include "providers/kubernetes/k8s_errors.hpp"
#include "providers/kubernetes/k8s_json.hpp"
#include "providers/kubernetes/k8s_names.hpp"

namespace styx {

namespace {

/// One watch stream. Thread rules: the transport calls it from its thread, one callback at a
/// time; the mutex guards against a transport that does not. Lifetimes: held by the
/// transport's callbacks until `done`.
class k8s_stream {
public:
  k8s_stream(std::string cursor, push_handler push, reply_handler done)
    : cursor_(std::move(cursor)), push_(std::move(push)), done_(std::move(done)) {}

  void on_chunk(std::string chunk) {
    std::lock_guard<std::mutex> guard{mtx_};
    buffer_ += chunk;
    push_batch batch;
    size_t start = 0;
    for (;;) {
      auto nl = buffer_.find('\n', start);
      if (nl == std::string::npos)
        break;
      on_line(std::string_view{buffer_}.substr(start, nl - start), batch);
      start = nl + 1;
    }
    buffer_.erase(0, start);
    if (batch.instances.empty() && batch.failed.empty() && batch.cursor.empty())
      return;
    batch.cursor = cursor_;
    push_(std::move(batch));
  }

  void on_done(const http_response& r) {
    api_reply reply;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      reply.cursor = cursor_;
      if (error_)
        reply.error = error_;
      else if (auto err = k8s_error_from(r))
        reply.error = err;
      else
        reply.error = make_cloud_error(error_kind::transient, "WatchEnded",
                                       "the watch ended; it resumes from its resourceVersion");
    }
    auto done = std::move(done_);
    done(std::move(reply));
  }

private:
  void on_line(std::string_view line, push_batch& batch) {
    if (line.empty() || line == "\r")
      return;
    auto ev = k8s_parse_watch_event(line);
    if (!ev) {
      error_ = k8s_unreadable("pods.watch");
      return;
    }
    if (ev->type == "ERROR") {
      auto st = ev->status.value_or(k8s_status{});
      error_ = k8s_error_of(st, st.code);
      return;
    }
    if (!ev->pod)
      return;
    if (!ev->pod->resource_version.empty())
      cursor_ = ev->pod->resource_version;
    batch.cursor = cursor_;
    if (ev->type == "BOOKMARK")
      return;
    cloud_error problem;
    auto ci = k8s_instance_of_pod(*ev->pod, ev->type == "DELETED", &problem);
    if (problem) {
      batch.failed.push_back({ci.cloud_id, problem});
      if (problem.kind != error_kind::capacity)
        return;
    }
    batch.instances.push_back(std::move(ci));
  }

  std::mutex mtx_;
  std::string cursor_;
  std::string buffer_;
  cloud_error error_;
  push_handler push_;
  reply_handler done_;
};

} // namespace

std::function<void()> k8s_api::watch(api_call call, push_handler push, reply_handler done) {
  auto stream = std::make_shared<k8s_stream>(call.cursor, std::move(push), std::move(done));
  auto& c = *core_;
  auto url = c.pods_url() + "?watch=true&allowWatchBookmarks=true&labelSelector="
             + k8s_query_encode(k8s_label::engine)
             + "&timeoutSeconds=" + std::to_string(c.opts.watch_timeout_seconds);
  if (!call.cursor.empty())
    url += "&resourceVersion=" + k8s_query_encode(call.cursor);
  auto req = c.request("GET", std::move(url));
  req.timeout = seconds(c.opts.watch_timeout_seconds + 30);
  auto cancel = c.transport.stream(
    std::move(req), [stream](std::string chunk) { stream->on_chunk(std::move(chunk)); },
    [stream](http_response r) { stream->on_done(r); });
  return cancel;
}

} // namespace styx
