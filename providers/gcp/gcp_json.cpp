#include "providers/gcp/gcp_json.hpp"

#include <cctype>
#include <ctime>

#include <simdjson.h>

#include "providers/json_dom.hpp"
#include "providers/gcp/gcp_names.hpp"
#include "providers/json_read.hpp"

namespace styx {

namespace {

using namespace json_dom;

std::string last(element e, const char* key) {
  return std::string{gcp_last_segment(str(e, key))};
}

double number(element e, const char* key) {
  return json_number(e, key);
}

/// Calls f(item) for every element of "items": an array (list), or an object of scopes each
/// with an array under `key` (aggregatedList; a scope with a warning has none).
template <class F>
bool for_each_item(element doc, const char* key, F&& f) {
  element items;
  if (doc["items"].get(items) != simdjson::SUCCESS)
    return true; // an empty page has no "items"
  if (items.is_array()) {
    for (auto item : items.get_array())
      f(item);
    return true;
  }
  if (!items.is_object())
    return false;
  for (auto scope : items.get_object()) {
    simdjson::dom::array xs;
    if (scope.value[key].get(xs) == simdjson::SUCCESS)
      for (auto item : xs)
        f(item);
  }
  return true;
}

/// A list page of `Page`: its next page token, and `add(page, item)` for every item.
template <class Page, class F>
std::optional<Page> parse_page(std::string_view body, const char* key, F add) {
  auto doc = parse(body);
  if (!doc)
    return std::nullopt;
  Page page;
  page.next_page_token = str(*doc, "nextPageToken");
  if (!for_each_item(*doc, key, [&](element e) { add(page, e); }))
    return std::nullopt;
  return page;
}

gcp_operation operation_of(element e) {
  gcp_operation op;
  op.name = str(e, "name");
  op.zone = last(e, "zone");
  op.type = str(e, "operationType");
  op.status = str(e, "status");
  op.target_name = last(e, "targetLink");
  op.client_operation_id = str(e, "clientOperationId");
  op.http_error_status = static_cast<int>(number(e, "httpErrorStatusCode"));
  simdjson::dom::array errors;
  if (e["error"]["errors"].get(errors) == simdjson::SUCCESS) {
    for (auto err : errors) {
      op.error_code = str(err, "code");
      op.error_message = str(err, "message");
      if (!op.error_code.empty())
        break;
    }
    if (op.error_code.empty())
      op.error_code = "UNKNOWN_ERROR";
  }
  return op;
}

cloud_instance instance_of(element e) {
  cloud_instance ci;
  auto name = str(e, "name");
  ci.zone = last(e, "zone");
  ci.cloud_id = gcp_cloud_id(ci.zone, name);
  ci.instance_type = last(e, "machineType");
  ci.state = gcp_state_of(str(e, "status"));
  bool preemptible = false;
  if (e["scheduling"]["preemptible"].get(preemptible) != simdjson::SUCCESS)
    preemptible = false;
  element scheduling; // absent from a partial answer: never converted unchecked (it throws)
  bool spot = e["scheduling"].get(scheduling) == simdjson::SUCCESS
              && str(scheduling, "provisioningModel") == "SPOT";
  if (spot || preemptible)
    ci.market = market_kind::spot;
  ci.tags = gcp_tags_of(json_strings(e, "labels"), name);
  ci.launched_at = gcp_parse_time(str(e, "creationTimestamp"));
  return ci;
}

} // namespace

std::optional<gcp_operation> gcp_parse_operation(std::string_view body) {
  auto doc = parse(body);
  if (!doc || str(*doc, "kind") != "compute#operation" || str(*doc, "name").empty())
    return std::nullopt;
  return operation_of(*doc);
}

std::optional<gcp_operation_page> gcp_parse_operations(std::string_view body) {
  return parse_page<gcp_operation_page>(body, "operations", [](auto& page, element e) {
    page.operations.push_back(operation_of(e));
  });
}

std::optional<gcp_instance_page> gcp_parse_instances(std::string_view body) {
  return parse_page<gcp_instance_page>(body, "instances", [](auto& page, element e) {
    if (!str(e, "name").empty())
      page.instances.push_back(instance_of(e));
  });
}

std::optional<gcp_zone_page> gcp_parse_zones(std::string_view body) {
  return parse_page<gcp_zone_page>(body, "zones", [](auto& page, element e) {
    page.zones.push_back(gcp_zone_info{str(e, "name"), last(e, "region"), str(e, "status")});
  });
}

std::optional<gcp_machine_type_page> gcp_parse_machine_types(std::string_view body) {
  return parse_page<gcp_machine_type_page>(body, "machineTypes", [](auto& page, element e) {
    page.types.push_back(gcp_machine_type{str(e, "name"), last(e, "zone"), number(e, "guestCpus"),
                                          number(e, "memoryMb") / 1024.0});
  });
}

std::optional<gcp_error_body> gcp_parse_error(std::string_view body) {
  auto doc = parse(body);
  if (!doc)
    return std::nullopt;
  element err;
  if ((*doc)["error"].get(err) != simdjson::SUCCESS || !err.is_object())
    return std::nullopt;
  gcp_error_body out;
  out.code = static_cast<int>(number(err, "code"));
  out.message = str(err, "message");
  out.status = str(err, "status");
  simdjson::dom::array errors;
  if (err["errors"].get(errors) == simdjson::SUCCESS)
    for (auto e : errors) {
      out.reason = str(e, "reason");
      if (!out.reason.empty())
        break;
    }
  return out;
}

instance_state gcp_state_of(std::string_view status) {
  if (status == "RUNNING" || status == "REPAIRING")
    return instance_state::running;
  if (status == "STOPPING" || status == "SUSPENDING" || status == "DEPROVISIONING")
    return instance_state::stopping;
  if (status == "TERMINATED" || status == "SUSPENDED")
    return instance_state::stopped;
  return instance_state::pending; // PROVISIONING, STAGING, and anything newer
}

unix_ms gcp_parse_time(std::string_view t) {
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > t.size())
      return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i])))
        return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(5, 2, month) || t[7] != '-'
      || !digits(8, 2, day) || (t[10] != 'T' && t[10] != 't') || !digits(11, 2, hour)
      || t[13] != ':' || !digits(14, 2, minute) || t[16] != ':' || !digits(17, 2, second))
    return 0;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < t.size() && t[pos] == '.') {
    int scale = 100;
    for (++pos; pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos])); ++pos) {
      millis += (t[pos] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_s = 0;
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':'
        || !digits(pos + 4, 2, om))
      return 0;
    offset_s = (oh * 3600 + om * 60) * (t[pos] == '-' ? -1 : 1);
  } else if (pos >= t.size() || (t[pos] != 'Z' && t[pos] != 'z')) {
    return 0;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  auto secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  return secs * 1000 + millis;
}

} // namespace styx
