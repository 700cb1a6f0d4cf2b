#include "providers/kubernetes/k8s_json.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

#include <simdjson.h>

#include "common/json.hpp"
#include "providers/json_dom.hpp"
#include "providers/kubernetes/k8s_names.hpp"

namespace styx {

namespace {

using namespace json_dom;

tag_map string_map(element e, const char* key) {
  tag_map out;
  simdjson::dom::object obj;
  if (e[key].get(obj) != simdjson::SUCCESS)
    return out;
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get(v) == simdjson::SUCCESS)
      out[std::string{field.key}] = std::string{v};
  }
  return out;
}

k8s_pod read_pod(element e) {
  k8s_pod pod;
  element meta;
  if (e["metadata"].get(meta) == simdjson::SUCCESS) {
    pod.name = str(meta, "name");
    pod.namespace_ = str(meta, "namespace");
    pod.resource_version = str(meta, "resourceVersion");
    pod.created = str(meta, "creationTimestamp");
    element ts;
    pod.deleting = meta["deletionTimestamp"].get(ts) == simdjson::SUCCESS && !ts.is_null();
    pod.labels = string_map(meta, "labels");
    pod.annotations = string_map(meta, "annotations");
  }
  element status;
  if (e["status"].get(status) == simdjson::SUCCESS) {
    pod.phase = str(status, "phase");
    pod.reason = str(status, "reason");
    pod.message = str(status, "message");
    simdjson::dom::array conds;
    if (status["conditions"].get(conds) == simdjson::SUCCESS)
      for (auto c : conds)
        if (str(c, "type") == "PodScheduled" && str(c, "status") == "False"
            && str(c, "reason") == "Unschedulable") {
          pod.unschedulable = true;
          pod.unschedulable_message = str(c, "message");
        }
  }
  return pod;
}

std::string quantity(double x) {
  if (x == std::floor(x))
    return std::to_string(static_cast<long long>(x));
  std::ostringstream out; // fractions as milli-units: 0.5 -> "500m"
  out << static_cast<long long>(std::llround(x * 1000)) << "m";
  return out.str();
}

} // namespace

std::optional<k8s_pod> k8s_parse_pod(std::string_view body) {
  auto doc = parse(body);
  if (!doc || str(*doc, "kind") == "Status")
    return std::nullopt;
  return read_pod(*doc);
}

std::optional<k8s_pod_page> k8s_parse_pod_list(std::string_view body) {
  auto doc = parse(body);
  if (!doc || str(*doc, "kind") == "Status")
    return std::nullopt;
  k8s_pod_page page;
  element meta;
  if ((*doc)["metadata"].get(meta) == simdjson::SUCCESS) {
    page.next = str(meta, "continue");
    page.resource_version = str(meta, "resourceVersion");
  }
  simdjson::dom::array items;
  if ((*doc)["items"].get(items) == simdjson::SUCCESS)
    for (auto item : items)
      page.pods.push_back(read_pod(item));
  else if (element null_items; (*doc)["items"].get(null_items) != simdjson::SUCCESS)
    return std::nullopt; // not a list
  return page;
}

std::optional<k8s_status> k8s_parse_status(std::string_view body) {
  auto doc = parse(body);
  if (!doc || str(*doc, "kind") != "Status")
    return std::nullopt;
  k8s_status s;
  int64_t code = 0;
  if ((*doc)["code"].get(code) == simdjson::SUCCESS)
    s.code = static_cast<int>(code);
  s.reason = str(*doc, "reason");
  s.message = str(*doc, "message");
  return s;
}

std::optional<k8s_watch_event> k8s_parse_watch_event(std::string_view line) {
  auto doc = parse(line);
  if (!doc)
    return std::nullopt;
  k8s_watch_event ev;
  ev.type = str(*doc, "type");
  element obj;
  if (ev.type.empty() || (*doc)["object"].get(obj) != simdjson::SUCCESS)
    return std::nullopt;
  if (ev.type == "ERROR") {
    k8s_status s;
    int64_t code = 0;
    if (obj["code"].get(code) == simdjson::SUCCESS)
      s.code = static_cast<int>(code);
    s.reason = str(obj, "reason");
    s.message = str(obj, "message");
    ev.status = s;
  } else {
    ev.pod = read_pod(obj);
  }
  return ev;
}

std::string k8s_pod_body(const std::string& name, const k8s_resource_class& cls,
                         const std::string& image, const tag_map& labels,
                         const tag_map& annotations) {
  json requests = {{"cpu", quantity(cls.cpus)}, {"memory", quantity(cls.memory_gib) + "Gi"}};
  if (cls.gpus > 0)
    requests["nvidia.com/gpu"] = std::to_string(cls.gpus);
  json container = {{"name", "main"},
                    {"image", image},
                    {"resources", {{"requests", requests}, {"limits", requests}}}};
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name},
                {"labels", json_object(labels)},
                {"annotations", json_object(annotations)}}},
              {"spec", {{"restartPolicy", "Never"}, {"containers", json::array({container})}}}};
  return json_text(pod);
}

std::string k8s_delete_body(int grace_period_seconds) {
  return "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":"
         + std::to_string(grace_period_seconds) + "}";
}

unix_ms k8s_parse_time(std::string_view text) {
  int y, mo, d, h, mi, s;
  std::string t{text};
  if (std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
    return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<unix_ms>(timegm(&tm)) * 1000;
}

cloud_instance k8s_instance_of_pod(const k8s_pod& pod, bool deleted, cloud_error* problem) {
  cloud_instance ci;
  ci.cloud_id = pod.name;
  ci.zone = pod.namespace_;
  if (auto i = pod.labels.find(k8s_label::resource_class); i != pod.labels.end())
    ci.instance_type = i->second;
  ci.tags = k8s_tags_of(pod.labels, pod.annotations);
  ci.launched_at = k8s_parse_time(pod.created);
  if (deleted) {
    ci.state = instance_state::terminated;
    ci.reason = state_reason::user_initiated;
    ci.reason_code = "PodDeleted";
    return ci;
  }
  if (pod.deleting) {
    ci.state = instance_state::terminating;
    return ci;
  }
  if (pod.phase == "Running") {
    ci.state = instance_state::running;
  } else if (pod.phase == "Succeeded" || pod.phase == "Failed") {
    ci.state = instance_state::terminated;
    ci.reason = state_reason::cloud_ended;
    ci.reason_code = pod.reason.empty() ? pod.phase : pod.phase + ": " + pod.reason;
  } else if (pod.phase == "Unknown") {
    ci.state = instance_state::running; // not meant to be used: see `problem`
    if (problem != nullptr)
      *problem = make_cloud_error(error_kind::transient, "PodPhaseUnknown",
                                  "pod " + pod.name + " is in phase Unknown"
                                    + (pod.message.empty() ? "" : ": " + pod.message));
  } else {
    ci.state = instance_state::pending;
    if (pod.unschedulable && problem != nullptr)
      *problem = make_cloud_error(error_kind::capacity, "Unschedulable",
                                  "pod " + pod.name + " is unschedulable"
                                    + (pod.unschedulable_message.empty()
                                         ? "" : ": " + pod.unschedulable_message));
  }
  return ci;
}

} // namespace styx
