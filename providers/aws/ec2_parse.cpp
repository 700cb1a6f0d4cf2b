#include "providers/aws/ec2_parse.hpp"

#include <algorithm>
#include <cstdlib>

#include <pugixml.hpp>

#include "providers/aws/ec2_xml.hpp"

namespace styx {

namespace {

using ec2_xml::child;
using ec2_xml::local_name;
using ec2_xml::children;

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return std::string{s};
}

/// The text of the element at `path` below `node` ("placement/availabilityZone").
std::string text(pugi::xml_node node, std::string_view path) {
  while (node && !path.empty()) {
    auto slash = path.find('/');
    node = child(node, path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return node ? trim(node.child_value()) : std::string{};
}

double to_double(const std::string& s) {
  return s.empty() ? 0 : std::strtod(s.c_str(), nullptr);
}

/// Parses `xml` and returns its root element if its local name is `root`.
pugi::xml_node load(pugi::xml_document& doc, std::string_view xml, std::string_view root) {
  if (!doc.load_buffer(xml.data(), xml.size()))
    return {};
  auto element = doc.document_element();
  return element && local_name(element.name()) == root ? element : pugi::xml_node{};
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

cloud_instance parse_instance(pugi::xml_node item) {
  cloud_instance result;
  result.cloud_id = text(item, "instanceId");
  result.instance_type = text(item, "instanceType");
  result.zone = text(item, "placement/availabilityZone");
  result.state = ec2_state(text(item, "instanceState/name")).value_or(instance_state::pending);
  if (auto code = text(item, "stateReason/code"); !code.empty()) {
    result.reason = ec2_state_reason(code);
    result.reason_code = code;
  }
  if (text(item, "instanceLifecycle") == "spot")
    result.market = market_kind::spot;
  for (auto tag : children(child(item, "tagSet"), "item"))
    result.tags[text(tag, "key")] = text(tag, "value");
  result.launched_at = ec2_parse_time(text(item, "launchTime")).value_or(0);
  result.client_token = text(item, "clientToken");
  if (auto index = text(item, "amiLaunchIndex"); !index.empty())
    result.launch_index = static_cast<int32_t>(std::strtol(index.c_str(), nullptr, 10));
  return result;
}

void parse_instances_set(pugi::xml_node parent, std::vector<cloud_instance>& out) {
  for (auto item : children(child(parent, "instancesSet"), "item"))
    out.push_back(parse_instance(item));
}

} // namespace

std::optional<instance_state> ec2_state(std::string_view name) {
  if (name == "pending")
    return instance_state::pending;
  if (name == "running")
    return instance_state::running;
  if (name == "stopping")
    return instance_state::stopping;
  if (name == "stopped")
    return instance_state::stopped;
  if (name == "shutting-down")
    return instance_state::terminating;
  if (name == "terminated")
    return instance_state::terminated;
  return std::nullopt;
}

state_reason ec2_state_reason(std::string_view code) {
  if (code == "Server.SpotInstanceTermination" || code == "Server.SpotInstanceShutdown")
    return state_reason::preempted;
  if (code == "Client.UserInitiatedShutdown" || code == "Client.UserInitiatedHibernate")
    return state_reason::user_initiated;
  return state_reason::cloud_ended; // the code itself goes to cloud_instance::reason_code
}

std::optional<unix_ms> ec2_parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > s.size())
      return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9')
        return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-'
      || !digits(8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(11, 2, h)
      || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    int64_t scale = 100;
    for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      if (!digits(pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':'
          || !digits(pos + 4, 2, om))
        return std::nullopt;
      offset_min = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      pos += 6;
    }
  }
  if (pos != s.size())
    return std::nullopt;
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::optional<std::vector<cloud_instance>> ec2_parse_run_instances(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "RunInstancesResponse");
  if (!root)
    return std::nullopt;
  std::vector<cloud_instance> result;
  for (auto item : children(child(root, "instancesSet"), "item")) {
    result.push_back(parse_instance(item));
    if (result.back().launch_index < 0) // an answer without it: document order
      result.back().launch_index = static_cast<int32_t>(result.size() - 1);
  }
  std::stable_sort(result.begin(), result.end(),
                   [](auto& a, auto& b) { return a.launch_index < b.launch_index; });
  return result;
}

std::optional<ec2_instances_page> ec2_parse_describe_instances(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "DescribeInstancesResponse");
  if (!root)
    return std::nullopt;
  ec2_instances_page result;
  for (auto reservation : children(child(root, "reservationSet"), "item"))
    parse_instances_set(reservation, result.instances);
  result.next_token = text(root, "nextToken");
  return result;
}

std::optional<ec2_instances_page> ec2_parse_instance_status(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "DescribeInstanceStatusResponse");
  if (!root)
    return std::nullopt;
  ec2_instances_page result;
  for (auto item : children(child(root, "instanceStatusSet"), "item")) {
    cloud_instance inst;
    inst.cloud_id = text(item, "instanceId");
    inst.zone = text(item, "availabilityZone");
    inst.state = ec2_state(text(item, "instanceState/name")).value_or(instance_state::pending);
    result.instances.push_back(std::move(inst));
  }
  result.next_token = text(root, "nextToken");
  return result;
}

std::optional<std::vector<cloud_instance>> ec2_parse_state_changes(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()))
    return std::nullopt;
  auto root = doc.document_element();
  auto name = local_name(root.name());
  if (name != "StopInstancesResponse" && name != "StartInstancesResponse"
      && name != "TerminateInstancesResponse")
    return std::nullopt;
  std::vector<cloud_instance> result;
  for (auto item : children(child(root, "instancesSet"), "item")) {
    cloud_instance inst;
    inst.cloud_id = text(item, "instanceId");
    inst.state = ec2_state(text(item, "currentState/name")).value_or(instance_state::pending);
    result.push_back(std::move(inst));
  }
  return result;
}

std::optional<ec2_instance_types_page> ec2_parse_instance_types(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "DescribeInstanceTypesResponse");
  if (!root)
    return std::nullopt;
  ec2_instance_types_page result;
  for (auto item : children(child(root, "instanceTypeSet"), "item")) {
    ec2_instance_type_info info;
    info.instance_type = text(item, "instanceType");
    info.vcpus = to_double(text(item, "vCpuInfo/defaultVCpus"));
    info.memory_gib = to_double(text(item, "memoryInfo/sizeInMiB")) / 1024.0;
    for (auto gpu : children(child(child(item, "gpuInfo"), "gpus"), "item")) {
      info.gpus += std::atoi(text(gpu, "count").c_str());
      if (info.gpu_kind.empty())
        info.gpu_kind = text(gpu, "name");
    }
    result.types.push_back(std::move(info));
  }
  result.next_token = text(root, "nextToken");
  return result;
}

std::optional<std::vector<ec2_zone>> ec2_parse_availability_zones(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "DescribeAvailabilityZonesResponse");
  if (!root)
    return std::nullopt;
  std::vector<ec2_zone> result;
  for (auto item : children(child(root, "availabilityZoneInfo"), "item"))
    result.push_back({text(item, "zoneName"), text(item, "zoneState")});
  return result;
}

void ec2_spot_price_page::merge(const ec2_spot_price_page& other) {
  for (auto& [key, price] : other.prices) {
    auto stamp = other.stamps.count(key) ? other.stamps.at(key) : 0;
    auto i = stamps.find(key);
    if (!prices.count(key) || i == stamps.end() || stamp >= i->second) {
      prices[key] = price;
      stamps[key] = stamp;
    }
  }
  next_token = other.next_token;
}

std::optional<ec2_spot_price_page> ec2_parse_spot_price_history(std::string_view xml) {
  pugi::xml_document doc;
  auto root = load(doc, xml, "DescribeSpotPriceHistoryResponse");
  if (!root)
    return std::nullopt;
  ec2_spot_price_page result;
  for (auto item : children(child(root, "spotPriceHistorySet"), "item")) {
    ec2_spot_price_page one;
    std::pair<std::string, std::string> key{text(item, "instanceType"),
                                            text(item, "availabilityZone")};
    one.prices[key] = to_double(text(item, "spotPrice"));
    one.stamps[key] = ec2_parse_time(text(item, "timestamp")).value_or(0);
    result.merge(one);
  }
  result.next_token = text(root, "nextToken");
  return result;
}

} // namespace styx
