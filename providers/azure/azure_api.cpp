#include "providers/azure/azure_api.hpp"

// The call mechanics (steps, pages, rate headers, the end of a call) and the mutating calls:
// create, stop, start, terminate and their continuations. The reads are in azure_reads.cpp.

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "providers/azure/azure_call.hpp"
#include "providers/azure/azure_names.hpp"
#include "providers/azure/azure_requests.hpp"

namespace styx {

namespace {

instance_state changed_state(api_op op) {
  switch (op) {
    case api_op::stop: return instance_state::stopped;
    case api_op::start: return instance_state::starting;
    default: return instance_state::terminated;
  }
}

/// The least count of "Microsoft.Compute/PutVM3Min;159,Microsoft.Compute/PutVM30Min;799"; < 0
/// when there is none.
double least_of_resource_header(const std::string& value) {
  double least = -1;
  for (size_t pos = value.find(';'); pos != std::string::npos; pos = value.find(';', pos + 1)) {
    char* end = nullptr;
    auto n = std::strtod(value.c_str() + pos + 1, &end);
    if (end != value.c_str() + pos + 1 && (least < 0 || n < least))
      least = n;
  }
  return least;
}

/// The operation URL of a 201/202: Azure-AsyncOperation, else Location.
std::string operation_url(const http_response& resp) {
  auto url = resp.header("Azure-AsyncOperation");
  return url.empty() ? resp.header("Location") : url;
}

/// A create's continuation while the VM of a failed allocation is deleted:
/// "NAME|URL|KIND|CODE|MESSAGE" ('|' in the message becomes '/').
std::string failure_handle(const std::string& name, const std::string& url,
                           const cloud_error& err) {
  auto message = err.message;
  std::replace(message.begin(), message.end(), '|', '/');
  return name + "|" + url + "|" + std::to_string(static_cast<int>(err.kind)) + "|" + err.code
         + "|" + message;
}

/// The failure a handle of failure_handle() carries; kind none for any other handle.
cloud_error failure_of(const std::string& handle, std::string& url) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t bar; parts.size() < 4 && (bar = handle.find('|', pos)) != std::string::npos;
       pos = bar + 1)
    parts.push_back(handle.substr(pos, bar - pos));
  parts.push_back(handle.substr(pos));
  if (parts.size() < 5)
    return {};
  url = parts[1];
  return make_cloud_error(static_cast<error_kind>(std::atoi(parts[2].c_str())), parts[3],
                          parts[4]);
}

} // namespace

// -- the core -------------------------------------------------------------------------------

std::string azure_api::core::vms_url() const {
  return opts.arm_endpoint + "subscriptions/" + opts.subscription + "/resourceGroups/"
         + opts.resource_group + "/providers/Microsoft.Compute/virtualMachines";
}

std::string azure_api::core::vm_url(const std::string& name, const std::string& suffix) const {
  return vms_url() + "/" + name + suffix + "?api-version=" + azure_compute_api_version;
}

bool azure_api::core::ours(const std::string& url) const {
  return url.compare(0, opts.arm_endpoint.size(), opts.arm_endpoint) == 0;
}

// -- mechanics ------------------------------------------------------------------------------

azure_call::azure_call(std::shared_ptr<azure_api::core> c, api_call call, reply_handler done)
  : call_steps(std::move(call), std::move(done)), core_(std::move(c)) {}

void azure_call::run() {
  auto self = shared_from_this();
  core_->tokens->with_token([self](const std::string& token, const cloud_error& err,
                                   bool exchanged) {
    if (exchanged) { // the exchange was an HTTP request of this call
      ++self->core_->requests;
      std::lock_guard<std::recursive_mutex> guard{self->mtx_};
      ++self->reply_.requests;
    }
    if (err)
      return self->finish(err);
    self->token_ = token;
    if (self->call_.continues())
      return self->continuation();
    switch (self->call_.op) {
      case api_op::create: return self->create();
      case api_op::stop:
      case api_op::start:
      case api_op::terminate: return self->change();
      case api_op::describe: return self->describe();
      case api_op::list: return self->list();
      case api_op::catalog: return self->catalog();
      case api_op::watch: // Azure does not push
        return self->finish(make_cloud_error(error_kind::fatal, "NotSupported",
                                             "Resource Manager has no watch"));
    }
  });
}

void azure_call::step(const std::function<void()>& sends, std::function<void()> next) {
  begin_phase(std::move(next));
  sends();
  end_setup();
}

void azure_call::send(const char* method, std::string url, std::string body, on_answer f) {
  http_request req;
  req.method = method;
  req.url = std::move(url);
  req.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!body.empty() || req.method == "PUT")
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
      self->note_rate_headers(resp);
      if (!self->finished_)
        f(resp);
    }
    self->complete_one();
  });
}

void azure_call::read_pages(std::string url, const char* what,
                            std::function<std::string(const http_response&, bool& ok)> use) {
  auto self = shared_from_this();
  send("GET", std::move(url), {}, [self, what, use](const http_response& resp) {
    if (auto err = azure_error_from(resp))
      return self->fail_locked(std::move(err));
    bool ok = true;
    auto next = use(resp, ok);
    if (!ok)
      return self->fail_locked(azure_unreadable(what));
    if (!next.empty() && self->core_->ours(next))
      self->read_pages(std::move(next), what, use);
  });
}

void azure_call::note_rate_headers(const http_response& resp) {
  auto take = [&](double n) {
    if (n >= 0 && (reply_.remaining < 0 || n < reply_.remaining))
      reply_.remaining = n;
  };
  for (auto* kind : {"reads", "writes", "deletes"}) {
    auto value = resp.header(std::string{"x-ms-ratelimit-remaining-subscription-"} + kind);
    if (!value.empty())
      take(std::atof(value.c_str()));
  }
  auto resource = resp.header("x-ms-ratelimit-remaining-resource");
  if (!resource.empty())
    take(least_of_resource_header(resource));
}

void azure_call::settle(api_reply& reply) {
  if (call_.op == api_op::create && created_ && reply.operations.empty())
    reply.instances = {created_instance()};
}

// -- create ---------------------------------------------------------------------------------

cloud_instance azure_call::created_instance() const {
  auto& spec = call_.spec;
  auto& slot = call_.slots.front();
  auto name = azure_vm_name(slot.id, spec.market);
  cloud_instance ci;
  ci.cloud_id = name;
  ci.zone = spec.zone;
  ci.instance_type = spec.instance_type;
  ci.market = spec.market;
  ci.state = instance_state::pending;
  ci.tags = azure_tags_of(spec.tags, name);
  if (!slot.name.empty())
    ci.tags[ownership_tag::name] = slot.name;
  ci.launched_at = core_->clk.wall_ms();
  return ci;
}

void azure_call::create() {
  auto& spec = call_.spec;
  auto invalid = [&](std::string code, std::string why) {
    finish(make_cloud_error(error_kind::invalid_request, std::move(code), std::move(why)));
  };
  if (call_.slots.size() != 1)
    return invalid("OneVirtualMachinePerCall", "an Azure create makes exactly one VM");
  if (spec.zone.empty() || spec.instance_type.empty())
    return invalid("MissingZone", "an Azure create needs a zone and a VM size");
  auto& opts = core_->opts;
  auto& slot = call_.slots.front();
  auto name = azure_vm_name(slot.id, spec.market);
  azure_launch launch{core_->id.region, spec.zone, spec.instance_type,
                      spec.image.empty() ? opts.image : spec.image, opts.subnet, opts.admin_user,
                      opts.ssh_public_key, spec.market, spec.max_price, created_instance().tags};
  if (auto why = azure_tags_error(launch.tags); !why.empty())
    return invalid("InvalidTag", why);
  if (azure_image_reference(launch.image).empty())
    return invalid("InvalidImage", "'" + launch.image + "' is neither publisher:offer:sku:version "
                                   "nor an image's resource id");
  auto self = shared_from_this();
  step([&] {
    send("PUT", core_->vm_url(name), azure_vm_body(launch, name),
         [self, name](const http_response& resp) {
           if (auto err = azure_error_from(resp))
             return self->fail_locked(std::move(err));
           auto vm = azure_parse_vm(resp.body);
           if (vm && vm->provisioning_state == "Failed") { // an earlier attempt's, left behind
             self->failed_vm_ = name;
             return;
           }
           auto url = operation_url(resp);
           if (resp.status == 201 && !url.empty())
             self->reply_.operations = {name + "|" + url};
           else
             self->created_ = true; // 200: the VM of this name exists (an earlier attempt)
         });
  }, [self] {
    if (!self->failed_vm_.empty())
      return self->delete_failed_vm(make_cloud_error(
        error_kind::capacity, "AllocationFailed", "an earlier attempt's allocation failed"));
    self->finish();
  });
}

void azure_call::delete_failed_vm(cloud_error err) {
  // Azure keeps a VM whose allocation failed (provisioningState Failed), and its name is the
  // engine id's, which the next placement of the instance uses again: it is deleted here and
  // the create fails only once the delete is done (its operation is asked about as a
  // continuation of the create, the failure carried in the handle).
  auto self = shared_from_this();
  create_failure_ = std::move(err);
  step([&] {
    send("DELETE", core_->vm_url(failed_vm_), {}, [self](const http_response& resp) {
      auto url = operation_url(resp);
      if (resp.status == 202 && !url.empty() && !azure_error_from(resp))
        self->reply_.operations = {failure_handle(self->failed_vm_, url, self->create_failure_)};
      else
        self->fail_locked(self->create_failure_);
    });
  }, [self] { self->finish(); });
}

// -- stop, start, terminate -----------------------------------------------------------------

void azure_call::change() {
  const char* method = call_.op == api_op::terminate ? "DELETE" : "POST";
  std::string verb = call_.op == api_op::stop    ? "/deallocate"
                     : call_.op == api_op::start ? "/start"
                                                 : "";
  auto self = shared_from_this();
  step([&] {
    for (auto& name : call_.cloud_ids)
      send(method, core_->vm_url(name, verb), {}, [self, name](const http_response& resp) {
        if (auto err = azure_error_from(resp)) {
          // Worth the same call again: all of it goes again (each part is idempotent).
          if (is_retryable(err.kind))
            self->fail_locked(std::move(err));
          else
            self->reply_.failed.push_back({name, std::move(err)});
          return;
        }
        auto url = operation_url(resp);
        if (resp.status == 202 && !url.empty()) {
          self->reply_.operations.push_back(name + "|" + url);
          return;
        }
        azure_operation done;
        done.status = "Succeeded";
        self->on_operation(name, {}, done);
      });
  }, [self] { self->finish(); });
}

void azure_call::on_operation(const std::string& name, const std::string& url,
                              const azure_operation& op) {
  if (!op.done()) {
    reply_.operations.push_back(name + "|" + url);
    return;
  }
  bool create = call_.op == api_op::create;
  if (auto err = azure_operation_error(op, create)) {
    if (!create)
      return reply_.failed.push_back({name, std::move(err)});
    failed_vm_ = name;
    create_failure_ = std::move(err);
    return;
  }
  if (create) {
    created_ = true;
    return;
  }
  cloud_instance ci;
  ci.cloud_id = name;
  ci.state = changed_state(call_.op);
  reply_.instances.push_back(std::move(ci));
}

// -- continuations --------------------------------------------------------------------------

void azure_call::continuation() {
  auto self = shared_from_this();
  step([&] {
    for (auto& handle : call_.operations) {
      auto name = handle.substr(0, handle.find('|'));
      std::string url;
      auto failure = failure_of(handle, url); // set: the delete of a failed allocation
      if (!failure)
        url = handle.substr(std::min(handle.size(), name.size() + 1));
      if (!core_->ours(url)) { // never send the token elsewhere
        std::lock_guard<std::recursive_mutex> guard{mtx_};
        fail_locked(make_cloud_error(error_kind::fatal, "ForeignOperationUrl",
                                     "the operation of " + name
                                       + " is not on the Resource Manager endpoint"));
        continue;
      }
      send("GET", url, {}, [self, name, url, handle, failure](const http_response& resp) {
        azure_operation op;
        if (resp.status == 404) { // gone: ARM keeps operations for a while only
          op.status = "Succeeded";
        } else if (auto err = azure_error_from(resp)) {
          return self->fail_locked(std::move(err));
        } else if (auto parsed = azure_parse_operation(resp.body)) {
          op = *parsed;
        } else {
          return self->fail_locked(azure_unreadable("the operation of " + name));
        }
        if (!failure)
          return self->on_operation(name, url, op);
        if (!op.done()) // the failed VM is still being deleted
          self->reply_.operations.push_back(handle);
        else
          self->fail_locked(failure);
      });
    }
  }, [self] {
    if (!self->failed_vm_.empty()) // on_operation(): the allocation failed
      return self->delete_failed_vm(self->create_failure_);
    self->finish();
  });
}

// -- the api --------------------------------------------------------------------------------

azure_api::azure_api(provider_id id, azure_options opts, token_source_ptr tokens,
                     http_transport& transport, const clock& clk) {
  if (opts.arm_endpoint.empty())
    opts.arm_endpoint = azure_default_arm;
  if (opts.arm_endpoint.back() != '/')
    opts.arm_endpoint += '/';
  core_ = std::make_shared<core>(std::move(id), std::move(opts), std::move(tokens), transport,
                                 clk);
}

azure_api::~azure_api() = default;

const provider_id& azure_api::id() const {
  return core_->id;
}

void azure_api::start(api_call call, reply_handler done) {
  std::make_shared<azure_call>(core_, std::move(call), std::move(done))->run();
}

size_t azure_api::max_batch(api_op op) const {
  switch (op) {
    case api_op::create: return 1; // one PUT a VM
    case api_op::stop:
    case api_op::start:
    case api_op::terminate: return std::max<size_t>(1, core_->opts.max_change_batch);
    default: return 1000; // describe: one list of the group
  }
}

uint64_t azure_api::requests() const {
  return core_->requests.load();
}

} // namespace styx
