#include "providers/gcp/gcp_api.hpp"

// The call mechanics (phases, pages, the end of a call) and the mutating calls: create, stop,
// start, terminate and their continuations. The reads are in gcp_reads.cpp.

#include <utility>

#include "providers/gcp/gcp_call.hpp"
#include "providers/gcp/gcp_errors.hpp"
#include "providers/gcp/gcp_names.hpp"
#include "providers/gcp/gcp_requests.hpp"

namespace styx {

namespace {

instance_state changed_state(api_op op) {
  switch (op) {
    case api_op::stop: return instance_state::stopped;
    case api_op::start: return instance_state::starting;
    default: return instance_state::terminated;
  }
}

/// A continuation's handle of one operation: "ZONE/OPERATION" or "ZONE/OPERATION/NAME".
struct handle {
  std::string zone, operation, name;
};

std::optional<handle> parse_handle(const std::string& text) {
  auto a = text.find('/');
  if (a == std::string::npos || a == 0)
    return std::nullopt;
  auto b = text.find('/', a + 1);
  handle h{text.substr(0, a), text.substr(a + 1, b == std::string::npos ? b : b - a - 1), {}};
  if (b != std::string::npos)
    h.name = text.substr(b + 1);
  if (h.operation.empty())
    return std::nullopt;
  return h;
}

} // namespace

// -- mechanics ------------------------------------------------------------------------------

cloud_error gcp_unreadable(const std::string& what) {
  return make_cloud_error(error_kind::transient, "InvalidResponse",
                          what + " answered a body that is not its response");
}

gcp_call::gcp_call(std::shared_ptr<gcp_api::core> c, api_call call, reply_handler done)
  : call_steps(std::move(call), std::move(done)), core_(std::move(c)) {}

void gcp_call::run() {
  auto self = shared_from_this();
  core_->tokens->with_token([self](const std::string& token, const cloud_error& err,
                                   bool exchanged) {
    if (exchanged) { // the exchange was an HTTP request of this call
      ++self->core_->requests;
      std::lock_guard<std::recursive_mutex> guard{self->mtx_};
      ++self->reply_.requests;
    }
    if (err) {
      self->finish(err);
      return;
    }
    self->token_ = token;
    self->dispatch();
  });
}

void gcp_call::dispatch() {
  if (call_.continues()) {
    continuation();
    return;
  }
  switch (call_.op) {
    case api_op::create: create(); break;
    case api_op::stop:
    case api_op::start:
    case api_op::terminate: change(); break;
    case api_op::describe: describe(); break;
    case api_op::list: list(); break;
    case api_op::catalog: catalog(); break;
    case api_op::watch:
      finish(make_cloud_error(error_kind::fatal, "NotSupported", "GCP pushes nothing"));
      break;
  }
}

void gcp_call::send(const char* method, std::string url, std::string body, on_answer f) {
  http_request req;
  req.method = method;
  req.url = std::move(url);
  req.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!body.empty())
    req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  req.timeout = core_->opts.request_timeout;
  req.ca_file = core_->opts.ca_bundle;
  sending();
  ++core_->requests;
  auto self = shared_from_this();
  core_->transport.send(std::move(req), [self, f = std::move(f)](http_response resp) {
    if (resp.status == 401)
      self->core_->tokens->refused(self->token_);
    {
      std::lock_guard<std::recursive_mutex> guard{self->mtx_};
      if (!self->finished_)
        f(resp);
    }
    self->complete_one();
  });
}

void gcp_call::get_pages(std::string url, on_page f, std::string page_token) {
  auto self = shared_from_this();
  auto target = url;
  if (!page_token.empty())
    target += (url.find('?') == std::string::npos ? "?" : "&") + std::string{"pageToken="}
              + gcp_percent_encode(page_token);
  send("GET", std::move(target), {}, [self, url = std::move(url), f](const http_response& resp) {
    auto next = f(resp);
    if (!next.empty())
      self->get_pages(url, f, next);
  });
}

void gcp_call::settle(api_reply& reply) {
  if (call_.op == api_op::create && created_ && reply.operations.empty())
    reply.instances = created_instances();
}

// -- create ---------------------------------------------------------------------------------

std::vector<cloud_instance> gcp_call::created_instances() const {
  std::vector<cloud_instance> out;
  auto& spec = call_.spec;
  auto labels = gcp_labels_of(spec.tags).labels;
  auto now = core_->clk.wall_ms();
  for (auto& slot : call_.slots) {
    auto name = gcp_instance_name(slot.id);
    cloud_instance ci;
    ci.cloud_id = gcp_cloud_id(spec.zone, name);
    ci.zone = spec.zone;
    ci.instance_type = spec.instance_type;
    ci.market = spec.market;
    ci.state = instance_state::pending;
    ci.tags = gcp_tags_of(labels, name);
    ci.launched_at = now;
    out.push_back(std::move(ci));
  }
  return out;
}

void gcp_call::create() {
  auto& spec = call_.spec;
  auto invalid = [&](std::string code, std::string why) {
    finish(make_cloud_error(error_kind::invalid_request, std::move(code), std::move(why)));
  };
  if (call_.slots.empty())
    return invalid("MissingInstances", "no instances to create");
  if (spec.zone.empty() || spec.instance_type.empty())
    return invalid("MissingZone", "a GCP create needs a zone and a machine type");
  auto labels = gcp_labels_of(spec.tags);
  if (!labels.error.empty())
    return invalid("InvalidLabel", labels.error);
  auto& opts = core_->opts;
  gcp_launch launch{spec.instance_type, spec.image.empty() ? opts.default_image : spec.image,
                    opts.network, opts.subnetwork, spec.market, std::move(labels.labels)};
  std::vector<std::string> names;
  for (auto& slot : call_.slots)
    names.push_back(gcp_instance_name(slot.id));
  bool one = names.size() == 1;
  auto url = core_->zone_url(spec.zone) + (one ? "/instances" : "/instances/bulkInsert");
  if (!call_.client_token.empty())
    url += "?requestId=" + gcp_request_id(call_.client_token);
  auto body = one ? gcp_insert_body(launch, spec.zone, names.front())
                  : gcp_bulk_insert_body(launch, names);
  auto self = shared_from_this();
  begin_phase([self] { self->finish(); });
  send("POST", std::move(url), std::move(body), [self, one](const http_response& resp) {
    if (resp.status == 409) { // the names exist: an earlier attempt of this call made them
      self->created_ = true;
      return;
    }
    if (auto err = gcp_error_from(resp)) {
      self->fail_locked(std::move(err));
      return;
    }
    auto op = gcp_parse_operation(resp.body);
    if (!op) {
      self->fail_locked(gcp_unreadable(one ? "instances.insert" : "instances.bulkInsert"));
      return;
    }
    self->on_create_operation(*op);
  });
  end_setup();
}

void gcp_call::on_create_operation(const gcp_operation& op) {
  if (!op.done()) {
    reply_.operations = {op.zone + "/" + op.name};
    return;
  }
  if (auto err = gcp_operation_error(op, true)) {
    fail_locked(std::move(err));
    return;
  }
  created_ = true;
}

// -- stop, start, terminate -----------------------------------------------------------------

void gcp_call::change() {
  const char* method = call_.op == api_op::terminate ? "DELETE" : "POST";
  const char* verb = call_.op == api_op::stop ? "/stop" : call_.op == api_op::start ? "/start" : "";
  auto self = shared_from_this();
  begin_phase([self] { self->finish(); });
  for (auto& id : call_.cloud_ids) {
    auto parts = gcp_split_cloud_id(id);
    if (!parts) {
      std::lock_guard<std::recursive_mutex> guard{mtx_};
      reply_.failed.push_back({id, make_cloud_error(error_kind::invalid_request, "InvalidCloudId",
                                                    "'" + id + "' is not a GCP cloud id (ZONE/NAME)")});
      continue;
    }
    auto url = core_->zone_url(parts->first) + "/instances/" + parts->second + verb;
    if (!call_.client_token.empty())
      url += "?requestId=" + gcp_request_id(call_.client_token, id);
    send(method, std::move(url), {}, [self, id](const http_response& resp) {
      if (auto err = gcp_error_from(resp)) {
        // Worth the same call again: all of it goes again, with the same requestIds.
        if (is_retryable(err.kind))
          self->fail_locked(std::move(err));
        else
          self->reply_.failed.push_back({id, std::move(err)});
        return;
      }
      auto op = gcp_parse_operation(resp.body);
      if (!op) {
        self->fail_locked(gcp_unreadable("instances." + std::string{to_string(self->call_.op)}));
        return;
      }
      self->on_change_operation(*op, id);
    });
  }
  end_setup();
}

void gcp_call::on_change_operation(const gcp_operation& op, const std::string& cloud_id) {
  auto parts = gcp_split_cloud_id(cloud_id);
  if (!op.done()) {
    reply_.operations.push_back(op.zone + "/" + op.name + "/" + (parts ? parts->second : ""));
    return;
  }
  if (auto err = gcp_operation_error(op, false)) {
    reply_.failed.push_back({cloud_id, std::move(err)});
    return;
  }
  cloud_instance ci;
  ci.cloud_id = cloud_id;
  ci.zone = parts ? parts->first : op.zone;
  ci.state = changed_state(call_.op);
  reply_.instances.push_back(std::move(ci));
}

// -- continuations --------------------------------------------------------------------------

void gcp_call::continuation() {
  std::map<std::string, std::vector<handle>> by_zone;
  std::vector<handle> all;
  for (auto& text : call_.operations) {
    auto h = parse_handle(text);
    if (!h)
      return finish(make_cloud_error(error_kind::fatal, "InvalidOperationHandle",
                                     "'" + text + "' names no zone operation"));
    by_zone[h->zone].push_back(*h);
    all.push_back(*h);
  }
  auto self = shared_from_this();
  begin_phase([self, all] {
    std::lock_guard<std::recursive_mutex> guard{self->mtx_};
    for (auto& h : all) {
      auto i = self->ops_.find(h.operation);
      gcp_operation op;
      if (i != self->ops_.end()) {
        op = i->second;
      } else { // gone: Compute keeps operations for a while only
        op.name = h.operation;
        op.zone = h.zone;
        op.status = "DONE";
        op.error_code = "OPERATION_NOT_FOUND";
        op.error_message = "the operation is no longer known";
      }
      if (self->call_.op == api_op::create)
        self->on_create_operation(op);
      else
        self->on_change_operation(op, gcp_cloud_id(h.zone, h.name));
    }
    self->finish();
  });
  auto keep = [self](const gcp_operation& op) { self->ops_[op.name] = op; };
  for (auto& [zone, handles] : by_zone) {
    auto url = core_->zone_url(zone) + "/operations";
    if (handles.size() == 1) {
      send("GET", url + "/" + handles.front().operation, {}, [self, keep](const http_response& r) {
        if (r.status == 404)
          return;
        if (auto err = gcp_error_from(r))
          return self->fail_locked(std::move(err));
        if (auto op = gcp_parse_operation(r.body))
          keep(*op);
        else
          self->fail_locked(gcp_unreadable("zoneOperations.get"));
      });
      continue;
    }
    std::vector<std::string> names;
    for (auto& h : handles)
      names.push_back(h.operation);
    for (size_t pos = 0; pos < names.size(); pos += 50) {
      auto n = std::min<size_t>(50, names.size() - pos);
      auto filter = gcp_name_filter(&names[pos], n);
      read_pages(url + "?maxResults=500&filter=" + gcp_percent_encode(filter),
                 "zoneOperations.list", gcp_parse_operations, [keep](gcp_operation_page& page) {
                   for (auto& op : page.operations)
                     keep(op);
                 });
    }
  }
  end_setup();
}

// -- the api --------------------------------------------------------------------------------

gcp_api::gcp_api(provider_id id, std::string project, std::string endpoint,
                 gcp_token_source_ptr tokens, http_transport& transport, const clock& clk,
                 gcp_options opts) {
  if (endpoint.empty() || endpoint.back() != '/')
    endpoint += '/';
  core_ = std::make_shared<core>(std::move(id), std::move(project), std::move(endpoint),
                                 std::move(tokens), transport, clk, std::move(opts));
}

gcp_api::~gcp_api() = default;

const provider_id& gcp_api::id() const {
  return core_->id;
}

void gcp_api::start(api_call call, reply_handler done) {
  std::make_shared<gcp_call>(core_, std::move(call), std::move(done))->run();
}

size_t gcp_api::max_batch(api_op op) const {
  switch (op) {
    case api_op::create: return 1000; // bulkInsert's count
    case api_op::describe: return 100; // names in one filter
    case api_op::stop:
    case api_op::start:
    case api_op::terminate: return std::max<size_t>(1, core_->opts.max_change_batch);
    default: return 1000;
  }
}

uint64_t gcp_api::requests() const {
  return core_->requests.load();
}

} // namespace styx
