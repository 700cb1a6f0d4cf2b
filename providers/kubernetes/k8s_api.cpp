#include "providers/kubernetes/k8s_api.hpp"

// The request/answer calls: create, describe, terminate, list, catalog. The watch is in
// k8s_watch.cpp.

#include <functional>
#include <set>
#include <utility>

#include "providers/kubernetes/k8s_call.hpp"
#include "providers/kubernetes/k8s_errors.hpp"
#include "providers/kubernetes/k8s_json.hpp"
#include "providers/kubernetes/k8s_names.hpp"

namespace styx {

cloud_error k8s_unreadable(const std::string& what) {
  return make_cloud_error(error_kind::transient, "InvalidResponse",
                          what + " answered a body that is not its response");
}

namespace {

using core_ptr = std::shared_ptr<k8s_api::core>;

/// One api_call on its way. Thread rules: its requests go one after another (a page, then the
/// next; a create, then the read of what exists), each answer on the transport's thread, so
/// nothing is touched by two threads at once. Lifetimes: held by shared_ptr by the request on
/// the wire; `done` runs once, then the call is released.
class k8s_call : public std::enable_shared_from_this<k8s_call> {
public:
  k8s_call(core_ptr c, api_call call, reply_handler done)
    : core_(std::move(c)), call_(std::move(call)), done_(std::move(done)) {
    reply_.requests = 0;
  }

  void run() {
    switch (call_.op) {
      case api_op::create: return create();
      case api_op::describe: return describe();
      case api_op::terminate: return terminate();
      case api_op::stop:
      case api_op::start:
        return fail(make_cloud_error(error_kind::invalid_request, "NotSupported",
                                     std::string{"Kubernetes pods cannot be "}
                                       + (call_.op == api_op::stop ? "stopped" : "started")
                                       + "; terminate them and create new ones"));
      case api_op::list: return list();
      case api_op::catalog: return catalog();
      case api_op::watch:
        return fail(make_cloud_error(error_kind::fatal, "NotSupported",
                                     "a watch is opened with k8s_api::watch"));
    }
  }

private:
  using on_answer = std::function<void(http_response)>;

  void send(const char* method, std::string url, std::string body, on_answer f) {
    ++reply_.requests;
    auto self = shared_from_this();
    core_->transport.send(core_->request(method, std::move(url), std::move(body)),
                          [self, f = std::move(f)](http_response r) { f(std::move(r)); });
  }

  void fail(cloud_error err) {
    api_reply r;
    r.error = std::move(err);
    r.requests = reply_.requests;
    finish(std::move(r));
  }

  void finish() { finish(std::move(reply_)); }

  void finish(api_reply r) {
    auto done = std::move(done_);
    if (done)
      done(std::move(r));
  }

  /// Adds a pod's answer: its state, or its problem (an Unknown pod only in `failed`).
  void add(const k8s_pod& pod) {
    cloud_error problem;
    auto ci = k8s_instance_of_pod(pod, false, &problem);
    if (problem) {
      reply_.failed.push_back({ci.cloud_id, problem});
      if (problem.kind != error_kind::capacity)
        return;
    }
    reply_.instances.push_back(std::move(ci));
  }

  // -- create ---------------------------------------------------------------------------

  const k8s_resource_class* class_of(const std::string& name) const {
    for (auto& c : core_->opts.classes)
      if (c.name == name)
        return &c;
    return nullptr;
  }

  void create() {
    auto invalid = [&](std::string code, std::string why) {
      fail(make_cloud_error(error_kind::invalid_request, std::move(code), std::move(why)));
    };
    if (call_.slots.size() != 1)
      return invalid("OnePodACall", "a Kubernetes create makes exactly one pod");
    auto* cls = class_of(call_.spec.instance_type);
    if (cls == nullptr)
      return invalid("UnknownResourceClass",
                     "'" + call_.spec.instance_type + "' is not a resource class of this cluster");
    auto& slot = call_.slots.front();
    auto tags = call_.spec.tags;
    tags[ownership_tag::instance] = slot.id.to_string();
    if (!slot.name.empty())
      tags[ownership_tag::name] = slot.name;
    auto meta = k8s_metadata_of(tags, cls->name);
    if (!meta.error.empty())
      return invalid("InvalidLabel", meta.error);
    auto name = k8s_pod_name(slot.id);
    auto& image = call_.spec.image.empty() ? core_->opts.default_image : call_.spec.image;
    auto body = k8s_pod_body(name, *cls, image, meta.labels, meta.annotations);
    auto self = shared_from_this();
    send("POST", core_->pods_url(), std::move(body), [self, name](http_response r) {
      if (r.status == 409) { // AlreadyExists: an earlier attempt made it; adopt it
        self->send("GET", self->core_->pods_url() + "/" + name, {},
                   [self](http_response got) { self->answer_pod(got, "pods.get"); });
        return;
      }
      self->answer_pod(r, "pods.create");
    });
  }

  void answer_pod(const http_response& r, const char* what) {
    if (auto err = k8s_error_from(r))
      return fail(std::move(err));
    auto pod = k8s_parse_pod(r.body);
    if (!pod)
      return fail(k8s_unreadable(what));
    add(*pod);
    finish();
  }

  // -- describe -------------------------------------------------------------------------

  void describe() {
    if (call_.cloud_ids.size() == 1) {
      auto self = shared_from_this();
      send("GET", core_->pods_url() + "/" + call_.cloud_ids.front(), {}, [self](http_response r) {
        if (r.status == 404) // gone: not answered
          return self->finish();
        self->answer_pod(r, "pods.get");
      });
      return;
    }
    std::set<std::string> asked(call_.cloud_ids.begin(), call_.cloud_ids.end());
    // Pods Styx named are selected by their instance label; with one it did not name (made
    // by another client, adopted) among them, every pod of any engine is read.
    bool named = true;
    for (auto& id : call_.cloud_ids)
      named = named && k8s_instance_of(id) != instance_id{};
    auto selector = named ? k8s_names_selector(call_.cloud_ids) : std::string{k8s_label::engine};
    list_pages("?labelSelector=" + k8s_query_encode(selector),
               [asked](const k8s_pod& p) { return asked.count(p.name) > 0; });
  }

  // -- terminate ------------------------------------------------------------------------

  void terminate() {
    if (call_.cloud_ids.size() != 1)
      return fail(make_cloud_error(error_kind::invalid_request, "OnePodACall",
                                   "a Kubernetes delete removes exactly one pod"));
    auto id = call_.cloud_ids.front();
    auto grace = core_->opts.grace_period_seconds;
    auto url = core_->pods_url() + "/" + id + "?gracePeriodSeconds=" + std::to_string(grace);
    auto self = shared_from_this();
    send("DELETE", std::move(url), k8s_delete_body(grace), [self, id](http_response r) {
      if (r.status == 404) { // gone already: what was asked is so
        cloud_instance ci;
        ci.cloud_id = id;
        ci.zone = self->core_->target.namespace_;
        ci.state = instance_state::terminated;
        self->reply_.instances.push_back(std::move(ci));
        return self->finish();
      }
      if (auto err = k8s_error_from(r))
        return self->fail(std::move(err));
      auto pod = k8s_parse_pod(r.body);
      cloud_instance ci;
      ci.cloud_id = id;
      ci.zone = self->core_->target.namespace_;
      ci.state = instance_state::terminating;
      if (pod) { // the pod as it is being deleted
        ci = k8s_instance_of_pod(*pod, false, nullptr);
        if (ci.state != instance_state::terminated)
          ci.state = instance_state::terminating;
      }
      self->reply_.instances.push_back(std::move(ci));
      self->finish();
    });
  }

  // -- list -----------------------------------------------------------------------------

  void list() {
    auto selector = k8s_label_selector(call_.filter);
    if (!selector) // a tag no pod can carry
      return finish();
    auto filter = call_.filter;
    list_pages("?labelSelector=" + k8s_query_encode(*selector), [filter](const k8s_pod& p) {
      auto tags = k8s_tags_of(p.labels, p.annotations);
      for (auto& [k, v] : filter) {
        auto i = tags.find(k);
        if (i == tags.end() || i->second != v)
          return false;
      }
      return true;
    });
  }

  /// GETs the pods of `query` page by page; keeps those `keep` wants.
  void list_pages(std::string query, std::function<bool(const k8s_pod&)> keep,
                  std::string next = {}) {
    auto url = core_->pods_url() + query + "&limit=" + std::to_string(core_->opts.list_page_size);
    if (!next.empty())
      url += "&continue=" + k8s_query_encode(next);
    auto self = shared_from_this();
    send("GET", std::move(url), {}, [self, query, keep](http_response r) {
      if (auto err = k8s_error_from(r))
        return self->fail(std::move(err));
      auto page = k8s_parse_pod_list(r.body);
      if (!page)
        return self->fail(k8s_unreadable("pods.list"));
      for (auto& pod : page->pods)
        if (keep(pod))
          self->add(pod);
      self->reply_.cursor = page->resource_version;
      if (!page->next.empty())
        return self->list_pages(query, keep, page->next);
      self->finish();
    });
  }

  // -- catalog --------------------------------------------------------------------------

  void catalog() {
    auto self = shared_from_this();
    send("GET", core_->pods_url() + "?limit=1", {}, [self](http_response r) {
      if (auto err = k8s_error_from(r))
        return self->fail(std::move(err));
      for (auto& c : self->core_->opts.classes) {
        offering o;
        o.provider = self->core_->id;
        o.zone = self->core_->target.namespace_;
        o.instance_type = c.name;
        o.cpus = c.cpus;
        o.memory_gib = c.memory_gib;
        o.gpus = c.gpus;
        o.gpu_kind = c.gpu_kind;
        o.on_demand_price = c.price;
        self->reply_.offerings.push_back(std::move(o));
      }
      self->finish();
    });
  }

  core_ptr core_;
  api_call call_;
  reply_handler done_;
  api_reply reply_;
};

} // namespace

k8s_api::k8s_api(provider_id id, k8s_target target, http_transport& transport, const clock& clk,
                 k8s_options opts) {
  while (!target.server.empty() && target.server.back() == '/')
    target.server.pop_back();
  core_ = std::make_shared<core>(std::move(id), std::move(target), transport, clk,
                                 std::move(opts));
}

k8s_api::~k8s_api() = default;

const provider_id& k8s_api::id() const {
  return core_->id;
}

void k8s_api::start(api_call call, reply_handler done) {
  std::make_shared<k8s_call>(core_, std::move(call), std::move(done))->run();
}

size_t k8s_api::max_batch(api_op op) const {
  switch (op) {
    case api_op::describe:
    case api_op::list: return 100; // names in one selector
    default: return 1;             // one pod a request
  }
}

uint64_t k8s_api::requests() const {
  return core_->requests.load();
}

} // namespace styx
