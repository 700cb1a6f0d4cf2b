#include "providers/local/local_api.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "providers/local/local_catalog.hpp"

namespace styx {

namespace {

api_reply refused(error_kind kind, std::string code, std::string message) {
  api_reply r;
  r.error = make_cloud_error(kind, std::move(code), std::move(message));
  return r;
}

/// "team-name" -> "STYX_TAG_TEAM_NAME".
std::string tag_variable(const std::string& key) {
  std::string out = "STYX_TAG_";
  for (unsigned char c : key)
    out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

bool is_ownership(const std::string& key) {
  return key.rfind("styx:", 0) == 0 || key == ownership_tag::name;
}

/// Every tag of `filter` is among `labels`.
bool has_all(const tag_map& labels, const tag_map& filter) {
  return std::all_of(filter.begin(), filter.end(), [&](const auto& kv) {
    auto i = labels.find(kv.first);
    return i != labels.end() && i->second == kv.second;
  });
}

cloud_error error_of(const process_reply& r) {
  switch (r.failure) {
    case process_failure::no_room:
      return make_cloud_error(error_kind::capacity, "InsufficientLocalCapacity", r.error);
    case process_failure::spawn_failed:
      return make_cloud_error(error_kind::invalid_request, "SpawnFailed", r.error);
    case process_failure::io_error:
      return make_cloud_error(error_kind::fatal, "RegistryUnwritable", r.error);
    case process_failure::stopped:
      return make_cloud_error(error_kind::transient, "HostStopped", r.error);
    case process_failure::none:
      break;
  }
  return {};
}

process_op op_for(api_op op) {
  switch (op) {
    case api_op::stop: return process_op::stop;
    case api_op::start: return process_op::resume;
    case api_op::terminate: return process_op::end;
    case api_op::list: return process_op::list;
    default: return process_op::inspect;
  }
}

} // namespace

local_api::local_api(provider_id id, process_host& host, local_options opts)
  : id_(std::move(id)), host_(host), opts_(std::move(opts)) {
  // nop
}

machine_size local_api::capacity() const {
  auto m = host_.machine();
  machine_size out;
  out.cpus = opts_.cpus > 0 ? opts_.cpus : m.cpus * opts_.cpu_overcommit;
  out.memory_gib = opts_.memory_gib > 0 ? opts_.memory_gib : m.memory_gib;
  return out;
}

void local_api::start(api_call call, reply_handler done) {
  if (call.op == api_op::catalog) {
    auto cap = capacity();
    api_reply r;
    r.offerings = local_catalog(id_, local_size{cap.cpus, cap.memory_gib});
    done(std::move(r));
    return;
  }
  process_request req;
  req.op = op_for(call.op);
  if (call.op == api_op::create) {
    auto size = parse_local_type(call.spec.instance_type);
    if (!size)
      return done(refused(error_kind::invalid_request, "InvalidInstanceType",
                          "'" + call.spec.instance_type + "' is not a local instance type"));
    if (call.spec.market == market_kind::spot)
      return done(refused(error_kind::invalid_request, "NoSpotMarket",
                          "the local cloud has no spot market"));
    if (call.slots.empty())
      return done(refused(error_kind::invalid_request, "NoInstances", "no instances to launch"));
    req.op = process_op::spawn;
    auto cap = capacity();
    req.cpu_limit = cap.cpus;
    req.memory_limit_gib = cap.memory_gib;
    auto command = call.spec.image.empty() ? opts_.default_command : call.spec.image;
    auto engine = call.spec.tags.find(ownership_tag::engine);
    for (auto& slot : call.slots) {
      process_launch l;
      l.key = "proc-" + slot.id.to_string();
      l.command = command;
      l.cpus = size->cpus;
      l.memory_gib = size->memory_gib;
      l.labels = call.spec.tags;
      l.labels[ownership_tag::instance] = slot.id.to_string();
      l.labels[ownership_tag::request] = slot.request.to_string();
      l.labels[ownership_tag::name] = slot.name;
      l.env = {{"STYX_INSTANCE_ID", slot.id.to_string()},
               {"STYX_REQUEST_ID", slot.request.to_string()},
               {"STYX_INSTANCE_NAME", slot.name},
               {"STYX_PROVIDER", id_.name()},
               {"STYX_ENGINE_ID", engine != call.spec.tags.end() ? engine->second : ""}};
      for (auto& [k, v] : call.spec.tags)
        if (!is_ownership(k))
          l.env.emplace_back(tag_variable(k), v);
      req.launches.push_back(std::move(l));
    }
  } else if (call.op != api_op::list) {
    req.keys = call.cloud_ids;
  }
  auto zone = id_.region;
  bool created = call.op == api_op::create;
  auto filter = std::move(call.filter);
  host_.submit(std::move(req), [zone, created, filter = std::move(filter),
                                done = std::move(done)](process_reply pr) {
    api_reply r;
    r.error = error_of(pr);
    if (!r.error)
      for (auto& f : pr.facts)
        if (has_all(f.labels, filter))
          r.instances.push_back(local_instance(f, zone, created));
    done(std::move(r));
  });
}

std::string local_exit_words(const process_fact& f) {
  if (!f.exit_known)
    return f.note.empty() ? "ended; its exit status is unknown" : f.note;
  if (f.exit_signal != 0)
    return "killed by signal " + std::to_string(f.exit_signal);
  return "exit status " + std::to_string(f.exit_code);
}

cloud_instance local_instance(const process_fact& f, const std::string& zone, bool created) {
  using s = instance_state;
  cloud_instance c;
  c.cloud_id = f.key;
  c.zone = zone;
  c.instance_type = local_type_name(local_size{f.cpus, f.memory_gib});
  c.market = market_kind::on_demand;
  c.tags = f.labels;
  c.launched_at = f.launched_at;
  bool ending = f.wish == process_wish::end;
  switch (f.status) {
    case process_status::ended: {
      c.state = s::terminated;
      if (ending)
        break;
      c.reason = state_reason::cloud_ended;
      c.reason_code = local_exit_words(f);
      bool failing = f.exit_known && (f.exit_code != 0 || f.exit_signal != 0);
      if (failing && !f.seen_up) // never came up: the create failed, as far as anyone saw
        c.state = s::failed;
      break;
    }
    case process_status::stopped:
      c.state = ending ? s::terminating : f.wish == process_wish::resume ? s::starting : s::stopped;
      if (f.wish == process_wish::none) { // SIGSTOP from outside Styx
        c.reason = state_reason::user_initiated;
        c.reason_code = "stopped by a signal from outside Styx";
      }
      break;
    case process_status::running:
      c.state = ending                         ? s::terminating
                : f.wish == process_wish::stop ? s::stopping
                : created                      ? s::pending
                                               : s::running;
      break;
  }
  return c;
}

} // namespace styx
